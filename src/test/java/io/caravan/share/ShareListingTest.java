package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.sync.SyncEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The share listing written entry by entry: the same JSON as the whole answer built at once, its
 * entries those of the sequence number it names even when the tree changes while it is written, and
 * its hashing ended by a client that goes away.
 */
class ShareListingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void writesTheSameJsonAsTheWholeAnswer() throws Exception {
        TreeMap<String, SyncEntry> tree = new TreeMap<>();
        tree.put("a", new SyncEntry("a", SyncEntry.Type.DIR, 0, 1_000, 0755, null, null));
        tree.put("a/f.txt", new SyncEntry("a/f.txt", SyncEntry.Type.FILE, 12, 2_000, 0644, null, null));
        tree.put("a/l", new SyncEntry("a/l", SyncEntry.Type.LINK, 0, 3_000, 0777, "f.txt", null));
        tree.put("é \"q\"", new SyncEntry("é \"q\"", SyncEntry.Type.FILE, 0, 4_000, 0600, null, null));
        ShareLog.Listing listing = new ShareLog.Listing(42, tree);

        for (boolean checksum : List.of(false, true)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ShareListing.write(out, "site", listing, (entry, whileHashing) -> checksum ? "sha-of-" + entry.path() : null);

            List<Map<String, Object>> entries = tree.values().stream()
                    .map(e -> ShareEvent.entryJson(e, checksum && e.type() == SyncEntry.Type.FILE ? "sha-of-" + e.path() : null))
                    .toList();
            Map<String, Object> whole = new LinkedHashMap<>();
            whole.put("share", "site");
            whole.put("sequence", 42L);
            whole.put("entries", entries);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(JSON.writeValueAsString(whole));
        }
    }

    @Test
    void aListingStaysTheTreeOfItsSequenceNumberWhileTheTreeChanges() throws Exception {
        ShareLog log = ShareLog.open("site", dir, 100);
        log.record(Map.of("a", file("a"), "b", file("b")), List.of(create("a"), create("b")));
        ShareLog.Listing listing = log.listing();

        log.record(Map.of("c", file("c")), List.of(create("c")));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ShareListing.write(out, "site", listing, (entry, whileHashing) -> null);
        var answer = JSON.readTree(out.toByteArray());
        assertThat(answer.get("sequence").asLong()).isEqualTo(2);
        assertThat(answer.get("entries").findValuesAsText("path")).containsExactly("a", "b");
        assertThat(log.listing().sequence()).isEqualTo(3);
        assertThat(log.listing().entries()).containsOnlyKeys("c");
        assertThatThrownBy(() -> listing.entries().put("x", file("x"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aClientThatGoesAwayEndsTheHashing() {
        TreeMap<String, SyncEntry> tree = new TreeMap<>();
        for (int i = 0; i < 100_000; i++) {
            String path = String.format("f%06d", i);
            tree.put(path, file(path));
        }
        AtomicInteger hashed = new AtomicInteger();
        OutputStream gone = new OutputStream() {
            private long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 64 * 1024) {
                    throw new IOException("Pipe closed");
                }
            }
        };

        assertThatThrownBy(() -> ShareListing.write(gone, "site", new ShareLog.Listing(1, tree), (entry, whileHashing) -> {
            hashed.incrementAndGet();
            return "0".repeat(64);
        })).isInstanceOf(IOException.class);
        assertThat(hashed.get()).as("files hashed of 100,000").isLessThan(2_000);
    }

    private static ShareEvent create(String path) {
        return new ShareEvent(0, ShareEvent.Type.CREATE, path, null, file(path));
    }

    private static SyncEntry file(String path) {
        return new SyncEntry(path, SyncEntry.Type.FILE, 1, 1_000, 0644, null, null);
    }
}
