package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.CraftedTar;
import io.caravan.HandPackedParcel;
import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import io.caravan.WideWindowStreams;
import io.caravan.download.CatalogProxy;
import io.caravan.download.CraftedCatalog;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.unpack.Staging;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/pull.camel.yaml on a one-second cron, with a parcel this receiver refuses for what it is (its stream
 * asks for more decoder memory than allowed; it holds a link pointing outside): the parcel is fetched once,
 * the refusal logged once with its reason and what to do, and it is not fetched again, not even after a
 * restart, until the remote publishes a new state of it (a new etag). Nothing of the refused fetch is left
 * in the pull's folder.
 */
class PullRefusedParcelTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("remote"));

    @Test
    void aParcelAskingForTooMuchDecoderMemoryIsFetchedOnceUntilItsEtagChanges() throws Exception {
        byte[] stream = WideWindowStreams.xz(new CraftedTar().dir("wide").file("wide/a.txt").bytes(), 31);
        byte[] manifest = HandPackedParcel.manifest("feeds/wide", "xz", stream).toJson().getBytes(StandardCharsets.UTF_8);
        int[] version = {1}; // listed as the etag "1"
        AtomicInteger listings = new AtomicInteger();
        AtomicInteger manifests = new AtomicInteger();
        AtomicInteger chunks = new AtomicInteger();
        try (CraftedCatalog catalog = new CraftedCatalog(Map.of(
                "/parcels", exchange -> {
                    listings.incrementAndGet();
                    CraftedCatalog.answer(exchange, ("{\"parcels\":[{\"name\":\"feeds/wide\",\"etag\":\"\\\"" + version[0]
                            + "\\\"\"}],\"next\":null}").getBytes(StandardCharsets.UTF_8));
                },
                "/parcels/manifest", CraftedCatalog.counted(manifests, manifest),
                "/parcels/chunks/", exchange -> {
                    chunks.incrementAndGet();
                    CraftedCatalog.answer(exchange, HandPackedParcel.chunk(stream, CraftedCatalog.chunkIndex(exchange)));
                }));
             LoggedWarnings warnings = new LoggedWarnings()) {
            Path local = tmp.resolve("local");
            Map<String, String> narrow = Map.of("caravan.receiver.decoder-memory", "9MiB", "caravan.receiver.extract-threads", "1");
            Main main = pull(catalog.url(), local, narrow);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> !warnings.containing("feeds/wide").isEmpty());
                passes(listings, 3);
                assertThat(manifests.get()).as("the manifest of a refused parcel is asked for once").isEqualTo(1);
                assertThat(chunks.get()).isEqualTo(1);
                List<String> said = warnings.containing("feeds/wide");
                assertThat(said).hasSize(1);
                assertThat(said.get(0)).contains("cannot fetch").contains("xz stream asks for 192 MiB").contains("limit of 9 MiB")
                        .contains("caravan.receiver.decoder-memory").contains("not fetched again").contains("\"1\"");
            } finally {
                main.stop();
            }
            JsonNode refused = PullRouteFixture.state(local).path("refused").path("feeds/wide");
            assertThat(refused.path("etag").asText()).isEqualTo("\"1\"");
            assertThat(refused.path("reason").asText()).contains("192 MiB");
            assertNothingLeftOfTheFetch(local);

            main = pull(catalog.url(), local, narrow);
            try {
                passes(listings, 3);
                assertThat(manifests.get()).as("not asked for again after a restart").isEqualTo(1);
                assertThat(warnings.containing("feeds/wide")).hasSize(1);

                version[0] = 2;
                await().atMost(Duration.ofSeconds(30)).until(() -> warnings.containing("feeds/wide").size() == 2);
                passes(listings, 3);
                assertThat(manifests.get()).as("a new state of it is fetched once").isEqualTo(2);
                assertThat(warnings.containing("feeds/wide")).hasSize(2);
                assertThat(warnings.containing("feeds/wide").get(1)).contains("\"2\"");
            } finally {
                main.stop();
            }
            assertNothingLeftOfTheFetch(local);
            assertThat(local.resolve("feeds/wide")).doesNotExist();
        }
    }

    /** The same from a real receiver: a folder holding a link to a file outside it, which a pull never lets in. */
    @Test
    void aParcelWithALinkOutsideFromARealReceiverIsRefusedOnceAndTheOthersArePulled(ReceiverFixture remote) throws Exception {
        Path note = Files.createDirectories(tmp.resolve("src")).resolve("note.txt");
        TestTrees.write(note, "pulled\n");
        send(remote, note, "feeds/note.txt");
        Path linked = Files.createDirectories(tmp.resolve("src/linked"));
        TestTrees.write(linked.resolve("a.txt"), "a\n");
        Files.createSymbolicLink(linked.resolve("out"), tmp.resolve("outside.txt"));
        TestTrees.write(tmp.resolve("outside.txt"), "outside\n");
        send(remote, linked, "feeds/linked");
        Path local = tmp.resolve("local");
        try (CatalogProxy proxy = new CatalogProxy(remote.port()); LoggedWarnings warnings = new LoggedWarnings()) {
            Main main = pull(proxy.url(), local, Map.of());
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(local.resolve("feeds/note.txt"))
                        && !warnings.containing("feeds/linked").isEmpty());
                int manifests = proxy.manifestRequests();
                Instant after = Instant.now();
                await().atMost(Duration.ofSeconds(30)).until(() -> Instant.parse(PullRouteFixture.state(local).path("last_pass")
                        .path("finished_at").asText("1970-01-01T00:00:00Z")).isAfter(after));
                Thread.sleep(2_000); // two passes more
                assertThat(proxy.manifestRequests()).as("nothing asked for again").isEqualTo(manifests);
                assertThat(warnings.containing("feeds/linked")).hasSize(1);
                assertThat(warnings.containing("feeds/linked").get(0)).contains("cannot fetch").contains("not fetched again");

                TestTrees.write(linked.resolve("a.txt"), "a, later\n");
                send(remote, linked, "feeds/linked");
                await().atMost(Duration.ofSeconds(30)).until(() -> warnings.containing("feeds/linked").size() == 2);
                assertThat(proxy.manifestRequests()).isEqualTo(manifests + 1);
            } finally {
                main.stop();
            }
        }
        assertThat(local.resolve("feeds/linked")).doesNotExist();
        assertThat(local.resolve("feeds/note.txt")).hasContent("pulled");
        assertNothingLeftOfTheFetch(local);
    }

    /** Waits until the catalog was listed {@code more} times more: as many passes ran. */
    private static void passes(AtomicInteger listings, int more) {
        int until = listings.get() + more;
        await().atMost(Duration.ofSeconds(30)).until(() -> listings.get() >= until);
    }

    /** No chunk, manifest or marker of a fetch is left in the pull's folder, nor a staging folder where parcels are published. */
    private static void assertNothingLeftOfTheFetch(Path local) throws Exception {
        Path chunks = local.resolve(".caravan/pull/chunks");
        if (Files.exists(chunks)) {
            try (var left = Files.walk(chunks)) {
                assertThat(left.filter(Files::isRegularFile)).isEmpty();
            }
        }
        if (Files.exists(local.resolve("feeds"))) {
            try (var left = Files.walk(local.resolve("feeds"))) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(Staging.PREFIX));
            }
        }
    }

    private static Main pull(String remote, Path local, Map<String, String> more) throws Exception {
        return PullRouteFixture.start(remote, local, more);
    }

    private void send(ReceiverFixture receiver, Path source, String name) throws Exception {
        PullRouteFixture.send(receiver, source, name, tmp.resolve("sender-state"));
    }
}
