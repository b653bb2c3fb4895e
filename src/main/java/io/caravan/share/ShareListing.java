package io.caravan.share;

import io.caravan.sync.SyncEntry;
import io.caravan.util.ListingJson;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The answer to {@code GET /shares/{name}/listing}, written entry by entry: {@code {"share", "sequence",
 * "entries": [...]}}, each entry as {@link ShareEvent#entryJson} writes it. The entries are read from
 * the {@link ShareLog.Listing} as they are written (never copied), and with checksums each file's
 * SHA-256 is asked for just before its entry is written, so a client that goes away (the next write
 * fails) ends the hashing.
 */
final class ShareListing {

    private ShareListing() {
    }

    /** Writes {@code listing} of the share {@code name}; {@code sha256} gives a file's SHA-256 (null: none). */
    static void write(OutputStream out, String name, ShareLog.Listing listing, Function<SyncEntry, String> sha256)
            throws IOException {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("share", name);
        head.put("sequence", listing.sequence());
        ListingJson json = ListingJson.begin(out, head);
        for (SyncEntry entry : listing.entries().values()) {
            json.entry(ShareEvent.entryJson(entry, entry.type() == SyncEntry.Type.FILE ? sha256.apply(entry) : null));
        }
        json.end();
    }
}
