package io.caravan.share;

import io.caravan.sync.SyncEntry;
import io.caravan.util.ListingJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to {@code GET /shares/{name}/listing}, written entry by entry: {@code {"share", "sequence",
 * "entries": [...]}}, each entry as {@link ShareEvent#entryJson} writes it. The entries are read from
 * the {@link ShareLog.Listing} as they are written (never copied), and with checksums each file's
 * SHA-256 is asked for just before its entry is written, so a client that goes away (the next write
 * fails) ends the hashing. While a file is hashed (a large one for minutes) the answer keeps moving:
 * {@link #KEEP_ALIVE_BYTES} spaces, which a JSON reader skips, at least every {@link #KEEP_ALIVE_EVERY},
 * so a follower reads it with its usual stall timeout and minimum rate.
 */
final class ShareListing {

    /** How often, at least, whitespace is sent while a file is hashed. */
    static final Duration KEEP_ALIVE_EVERY = Duration.ofSeconds(1);
    /** Spaces sent each time: four times the rate a follower asks of an answer ({@link ShareClient#MINIMUM_RATE}). */
    static final int KEEP_ALIVE_BYTES = 4096;

    private ShareListing() {
    }

    /** How a file's SHA-256 is found, running {@code whileHashing} now and then while it reads the file. */
    @FunctionalInterface
    interface Hashes {
        /** The SHA-256 of {@code entry}, null for none. */
        String sha256(SyncEntry entry, Runnable whileHashing);
    }

    /** Writes {@code listing} of the share {@code name}; {@code hashes} give a file's SHA-256 (null: none). */
    static void write(OutputStream out, String name, ShareLog.Listing listing, Hashes hashes) throws IOException {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("share", name);
        head.put("sequence", listing.sequence());
        ListingJson json = ListingJson.begin(out, head);
        long[] lastSent = {System.nanoTime()};
        Runnable keepAlive = () -> {
            long now = System.nanoTime();
            if (now - lastSent[0] >= KEEP_ALIVE_EVERY.toNanos()) {
                try {
                    json.keepAlive(KEEP_ALIVE_BYTES);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // the client went away: ends the hashing
                }
                lastSent[0] = now;
            }
        };
        try {
            for (SyncEntry entry : listing.entries().values()) {
                json.entry(ShareEvent.entryJson(entry, entry.type() == SyncEntry.Type.FILE ? hashes.sha256(entry, keepAlive) : null));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        json.end();
    }
}
