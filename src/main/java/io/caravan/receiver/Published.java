package io.caravan.receiver;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A published parcel as {@code POST /finish} answers it and the session store keeps it: its path
 * relative to the inbox, its file count and bytes, and the SHA-256 of the stream it came from.
 */
@JsonPropertyOrder({"path", "files", "bytes", "sha256"})
public record Published(String path, long files, long bytes, String sha256) {
}
