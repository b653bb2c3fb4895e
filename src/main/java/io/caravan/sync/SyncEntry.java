package io.caravan.sync;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of a mirrored tree, on either side: path relative to the root ({@code /}-separated),
 * type, size (files), mtime in milliseconds, permission bits, link target (links) and SHA-256 when
 * known (else null). Trees are compared at whole seconds, the precision tar keeps.
 */
public record SyncEntry(String path, Type type, long size, long mtime, int mode, String target, String sha256) {

    /** What an entry is; anything else (FIFOs, devices) is not mirrored. */
    public enum Type { FILE, DIR, LINK }

    public long mtimeSeconds() {
        return Math.floorDiv(mtime, 1000);
    }

    /** Type, size, mtime (seconds), mode and link target equal: the same entry for an incremental diff. */
    public boolean sameMetadata(SyncEntry other) {
        if (type != other.type) {
            return false;
        }
        return switch (type) {
            case LINK -> target.equals(other.target);
            case DIR -> mode == other.mode && mtimeSeconds() == other.mtimeSeconds();
            case FILE -> size == other.size && mode == other.mode && mtimeSeconds() == other.mtimeSeconds();
        };
    }

    /** The parent's relative path, or null at the top. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? null : path.substring(0, slash);
    }

    /** An entry of the receiver's {@code GET /mirror} answer. */
    public static SyncEntry fromJson(JsonNode node) {
        return new SyncEntry(node.path("path").asText(), Type.valueOf(node.path("type").asText().toUpperCase(java.util.Locale.ROOT)),
                node.path("size").asLong(), node.path("mtime").asLong(), node.path("mode").asInt(),
                node.path("target").asText(null), node.path("sha256").asText(null));
    }
}
