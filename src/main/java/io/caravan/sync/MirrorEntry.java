package io.caravan.sync;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One entry of a mirror as {@code GET /mirror} lists it: its path relative to the mirror and its type
 * ({@code file}, {@code dir}, {@code link}); a link has only its {@code target}, a file or folder its
 * size (0 for a folder), mtime in milliseconds and permission bits, and when checksums were asked for
 * a file its SHA-256. What an entry does not have is not written.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"path", "type", "target", "size", "mtime", "mode", "sha256"})
public record MirrorEntry(String path, String type, String target, Long size, Long mtime, Integer mode, String sha256) {

    static MirrorEntry link(String path, String target) {
        return new MirrorEntry(path, "link", target, null, null, null, null);
    }
}
