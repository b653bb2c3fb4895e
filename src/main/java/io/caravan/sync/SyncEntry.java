package io.caravan.sync;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of a mirrored tree, on either side: path relative to the root ({@code /}-separated),
 * type, size (files), mtime in milliseconds, permission bits, link target (links) and SHA-256 when
 * known (else null). Mtimes are compared to the millisecond where both sides keep milliseconds, and
 * at whole seconds where either side keeps whole seconds only (a file system with no finer times, or
 * a mirror written before mirrors kept milliseconds), so that such a side is not sent again at every
 * pass.
 */
public record SyncEntry(String path, Type type, long size, long mtime, int mode, String target, String sha256) {

    /** What an entry is; anything else (FIFOs, devices) is not mirrored. */
    public enum Type { FILE, DIR, LINK }

    public long mtimeSeconds() {
        return Math.floorDiv(mtime, 1000);
    }

    /**
     * The same mtime: the same millisecond, or the same second when either side's mtime is a whole second
     * (that side keeps no finer time).
     */
    public boolean sameMtime(SyncEntry other) {
        return mtime == other.mtime || mtimeSeconds() == other.mtimeSeconds()
                && (Math.floorMod(mtime, 1000) == 0 || Math.floorMod(other.mtime, 1000) == 0);
    }

    /** Type, size, mtime ({@link #sameMtime}), mode and link target equal: the same entry for an incremental diff. */
    public boolean sameMetadata(SyncEntry other) {
        if (type != other.type) {
            return false;
        }
        return switch (type) {
            case LINK -> target.equals(other.target);
            case DIR -> mode == other.mode && sameMtime(other);
            case FILE -> size == other.size && mode == other.mode && sameMtime(other);
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
