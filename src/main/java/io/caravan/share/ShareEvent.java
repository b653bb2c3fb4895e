package io.caravan.share;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.sync.SyncEntry;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One numbered change of a shared folder: {@code seq} (1, 2, ... per share, never reused), what
 * happened ({@link Type}), the path it happened to ({@code from} too for a rename), and the entry as
 * it is now (null for a deletion). {@link Type#RESET} says the log cannot tell what changed (the
 * server lost its last tree): a follower compares the whole tree again.
 */
public record ShareEvent(long seq, Type type, String path, String from, SyncEntry entry) {

    /** What happened to the path. */
    public enum Type { CREATE, MODIFY, DELETE, RENAME, RESET }

    public ShareEvent numbered(long number) {
        return new ShareEvent(number, type, path, from, entry);
    }

    /** The event as one JSON object of the log and of {@code GET /shares/{name}/events}. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("seq", seq);
        json.put("type", type.name());
        json.put("path", path);
        if (from != null) {
            json.put("from", from);
        }
        if (entry != null) {
            json.put("entry", entryJson(entry, entry.sha256())); // a rename's: the bytes a follower must have to move its file
        }
        return json;
    }

    public static ShareEvent fromJson(JsonNode node) {
        JsonNode entry = node.get("entry");
        return new ShareEvent(node.path("seq").asLong(), Type.valueOf(node.path("type").asText()), node.path("path").asText(null),
                node.path("from").asText(null), entry == null || entry.isNull() ? null : SyncEntry.fromJson(entry));
    }

    /** An entry in the listing format of {@code GET /mirror} (type {@code file}, {@code dir} or {@code link}). */
    public static Map<String, Object> entryJson(SyncEntry entry, String sha256) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", entry.path());
        json.put("type", entry.type().name().toLowerCase(Locale.ROOT));
        if (entry.type() == SyncEntry.Type.LINK) {
            json.put("target", entry.target());
            json.put("mtime", entry.mtime()); // its own, which a follower gives the link it makes
            return json;
        }
        json.put("size", entry.size());
        json.put("mtime", entry.mtime());
        json.put("mode", entry.mode());
        if (sha256 != null) {
            json.put("sha256", sha256);
        }
        return json;
    }
}
