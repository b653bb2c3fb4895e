package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.TestTrees;
import io.caravan.app.CaravanMain;
import io.caravan.fs.FileIdentity;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
            io.caravan.unpack.Staging.deleteTree(local.resolve(".caravan/pull"));
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

    private Main pull(ReceiverFixture remote, Path local) throws Exception {
        Main main = CaravanMain.create(List.of("pull"), Map.of(
                "caravan.role", "receiver",
                "caravan.receiver.inbox", local.toString(),
                "caravan.receiver.port", String.valueOf(ReceiverFixture.freePort()),
                "caravan.pull.from", "http://127.0.0.1:" + remote.port(),
                "caravan.pull.prefix", "feeds/",
                "caravan.pull.cron", "0/1 * * * * ?"));
        main.start();
        return main;
    }

    private void send(ReceiverFixture receiver, Path source, String name) throws Exception {
        SenderSettings settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 64 * 1024, name), 2, -1,
                tmp.resolve("sender-state"), new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        new ParcelSender(settings).send(source, name, Map.of("on_conflict", "replace"), ProgressListener.NONE);
    }
}
