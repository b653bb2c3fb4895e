package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.TestTrees;
import io.caravan.fs.FileIdentity;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.unpack.Staging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/pull.camel.yaml on a one-second Quartz cron fetches the parcels of a real receiver's catalog
 * under caravan.pull.prefix into the local inbox: new ones, later ones, republished ones (new etag),
 * and after a restart nothing it already holds; a link planted in its state changes nothing outside.
 */
class PullRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("remote"))
            .property("caravan.catalog.chunk-size", "64KiB");

    @Test
    void pullsNewAndChangedParcelsAndNothingAgainAfterARestart(ReceiverFixture remote) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("src/a"));
        TestTrees.random(a.resolve("one.bin"), 300_000, 1);
        Files.createDirectories(a.resolve("sub"));
        TestTrees.write(a.resolve("sub/two.txt"), "two\n");
        Path b = tmp.resolve("src/b.bin");
        TestTrees.random(b, 200_000, 2);
        Path c = Files.createDirectories(tmp.resolve("src/c"));
        TestTrees.write(c.resolve("not-pulled.txt"), "outside the prefix\n");
        send(remote, a, "feeds/a");
        send(remote, b, "feeds/b.bin");
        send(remote, c, "other/c");

        Path local = tmp.resolve("local");
        Path state = local.resolve(".caravan/pull/state.json");
        Main main = pull(remote, local);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(local.resolve("feeds/b.bin"))
                    && Files.exists(local.resolve("feeds/a/sub/two.txt")));
            assertThat(TestTrees.describe(local.resolve("feeds/a"))).isEqualTo(TestTrees.describe(a));
            assertThat(Files.mismatch(local.resolve("feeds/b.bin"), b)).isEqualTo(-1L);

            Path d = Files.createDirectories(tmp.resolve("src/d"));
            TestTrees.write(d.resolve("later.txt"), "published later\n");
            send(remote, d, "feeds/d");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(local.resolve("feeds/d/later.txt")));

            TestTrees.random(b, 250_000, 3);
            send(remote, b, "feeds/b.bin");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.mismatch(local.resolve("feeds/b.bin"), b) == -1L);
            assertThat(local.resolve("other")).doesNotExist();
        } finally {
            main.stop();
        }

        JsonNode before = JSON.readTree(state.toFile());
        assertThat(before.path("parcels").size()).isEqualTo(3);
        FileIdentity kept = FileIdentity.of(local.resolve("feeds/a/one.bin"));
        Instant restarted = Instant.now();
        main = pull(remote, local);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode pass = JSON.readTree(state.toFile()).path("last_pass");
                return Instant.parse(pass.path("finished_at").asText("1970-01-01T00:00:00Z")).isAfter(restarted);
            });
        } finally {
            main.stop();
        }
        JsonNode after = JSON.readTree(state.toFile());
        assertThat(after.path("last_pass").path("fetched").asInt()).isZero();
        assertThat(after.path("last_pass").path("failed").asInt()).isZero();
        assertThat(after.path("parcels")).isEqualTo(before.path("parcels"));
        assertThat(FileIdentity.of(local.resolve("feeds/a/one.bin"))).isEqualTo(kept);
    }

    /**
     * A pull folder swapped for a link while the receiver runs changes nothing where it points (one there
     * at the start stops the start: ReceiverStateFolderLinksTest), and the receiver keeps running:
     * once the link is removed the next pass pulls, and a link planted as the state file between passes is
     * replaced, its target untouched.
     */
    @Test
    void aPlantedLinkIsRefusedAndThePullGoesOnOnceItIsGone(ReceiverFixture remote) throws Exception {
        Path note = Files.createDirectories(tmp.resolve("src")).resolve("note.txt");
        TestTrees.write(note, "pulled\n");
        send(remote, note, "feeds/note.txt");
        Path local = tmp.resolve("local");
        Path victim = Files.createDirectories(tmp.resolve("victim"));
        String precious = "{\"important\":\"user data\"}\n";
        Files.writeString(victim.resolve("state.json"), precious);
        Main main = pull(remote, local);
        try {
            Path state = local.resolve(".caravan/pull/state.json");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(local.resolve("feeds/note.txt"))
                    && Files.isRegularFile(state, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            // the pull's folder swapped for a link while the receiver runs (one there at the start stops the start)
            Staging.deleteTree(local.resolve(".caravan/pull"));
            Files.createSymbolicLink(local.resolve(".caravan/pull"), victim);
            Path second = tmp.resolve("src/second.txt");
            TestTrees.write(second, "pulled too\n");
            send(remote, second, "feeds/second.txt");
            Thread.sleep(3_000); // three passes
            assertThat(Files.readString(victim.resolve("state.json"))).isEqualTo(precious);
            try (var listed = Files.list(victim)) {
                assertThat(listed).containsExactly(victim.resolve("state.json"));
            }

            Files.delete(local.resolve(".caravan/pull"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(local.resolve("feeds/second.txt"))
                    && Files.isRegularFile(state, java.nio.file.LinkOption.NOFOLLOW_LINKS));

            Files.delete(state);
            Files.createSymbolicLink(state, victim.resolve("state.json"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.isRegularFile(state, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertThat(Files.readString(victim.resolve("state.json"))).isEqualTo(precious);
        } finally {
            main.stop();
        }
    }

    /**
     * caravan.pull.max-expansion bounds what a pulled parcel may unpack to per compressed byte, as
     * {@code caravan get --max-expansion} does: a parcel of two letters (about 8 bytes unpacked per compressed
     * byte) is refused at 3 once 64 MiB are unpacked, nothing of it kept, the refusal recorded in the state, and the
     * pass goes on to the next parcel.
     */
    @Test
    void aParcelThatExpandsBeyondThePullsMaxExpansionIsRefused(ReceiverFixture remote) throws Exception {
        Path letters = Files.createDirectories(tmp.resolve("src/letters"));
        twoLetters(letters.resolve("ab.txt"), 72L << 20);
        send(remote, letters, "feeds/letters");
        Path note = tmp.resolve("src/note.txt");
        TestTrees.write(note, "pulled\n");
        send(remote, note, "feeds/note.txt");
        Path local = tmp.resolve("local");
        Path state = local.resolve(".caravan/pull/state.json");

        Main main = pull(remote, local, Map.of("caravan.pull.max-expansion", "3"));
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(local.resolve("feeds/letters"))
                    || Files.exists(state) && JSON.readTree(state.toFile()).path("refused").has("feeds/letters"));
        } finally {
            main.stop();
        }
        assertThat(local.resolve("feeds/letters")).as("refused: it expands beyond 3").doesNotExist();
        assertThat(local.resolve("feeds/note.txt")).hasContent("pulled");
        assertThat(JSON.readTree(state.toFile()).path("parcels").has("feeds/letters")).isFalse();
        assertThat(JSON.readTree(state.toFile()).path("refused").path("feeds/letters").path("reason").asText())
                .contains("caravan.pull.max-expansion");
    }

    @Test
    void aNegativeMaxExpansionStopsTheStart(ReceiverFixture remote) {
        assertThatThrownBy(() -> pull(remote, tmp.resolve("local"), Map.of("caravan.pull.max-expansion", "-1")).stop())
                .hasStackTraceContaining("caravan.pull.max-expansion=-1").hasStackTraceContaining("0 or more");
    }

    private Main pull(ReceiverFixture remote, Path local) throws Exception {
        return pull(remote, local, Map.of());
    }

    private Main pull(ReceiverFixture remote, Path local, Map<String, String> more) throws Exception {
        return PullRouteFixture.start("http://127.0.0.1:" + remote.port(), local, more);
    }

    /** {@code size} bytes, each 'a' or 'b' at random: about one bit of each byte is information. */
    private static void twoLetters(Path file, long size) throws java.io.IOException {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        byte[] block = new byte[1 << 20];
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                for (int i = 0; i < block.length; i += 64) {
                    long bits = random.nextLong();
                    for (int b = 0; b < 64; b++) {
                        block[i + b] = (byte) ('a' + ((bits >>> b) & 1));
                    }
                }
                out.write(block);
            }
        }
    }

    private void send(ReceiverFixture receiver, Path source, String name) throws Exception {
        PullRouteFixture.send(receiver, source, name, tmp.resolve("sender-state"));
    }
}
