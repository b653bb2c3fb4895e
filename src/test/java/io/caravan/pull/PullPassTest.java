package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.TestTrees;
import io.caravan.download.CatalogClient;
import io.caravan.download.CatalogProxy;
import io.caravan.fs.Versions;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A pull pass cut off in the middle of a parcel keeps its verified chunks, and the next pass fetches only the rest. */
class PullPassTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("remote"))
            .property("caravan.catalog.chunk-size", "64KiB");

    @Test
    void anInterruptedPullResumesWithTheChunksItHas(ReceiverFixture remote) throws Exception {
        try (CatalogProxy proxy = new CatalogProxy(remote.port())) {
            Path big = tmp.resolve("src/big.bin");
            Files.createDirectories(big.getParent());
            TestTrees.random(big, 1_000_000, 7);
            SenderSettings sender = new SenderSettings("http://127.0.0.1:" + remote.port(), null,
                    new PackOptions(Codecs.byName("zstd"), 3, 64 * 1024, "feeds/big.bin"), 2, -1, tmp.resolve("sender"),
                    new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
            new ParcelSender(sender).send(big, "feeds/big.bin", Map.of("on_conflict", "replace"), ProgressListener.NONE);
            int chunks = new ObjectMapper().readTree(remote.get("/parcels/manifest?name=feeds%2Fbig.bin").body()).path("chunks").size();
            assertThat(chunks).isGreaterThan(8);

            Path local = tmp.resolve("local");
            PullPass pass = new PullPass(new PullPass.Settings(new CatalogClient(proxy.url(), null, Duration.ofSeconds(30)), "feeds/",
                    local, 1, 0, Versions.none(), new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))),
                    Clock.systemUTC());
            // from the 6th chunk request on, every request is cut off (each re-arms the cut for the next one)
            CatalogProxy.Action[] cut = new CatalogProxy.Action[1];
            cut[0] = () -> {
                proxy.beforeChunkRequest(proxy.chunkRequests() + 1, cut[0]);
                throw new IOException("connection cut");
            };
            proxy.beforeChunkRequest(6, cut[0]);
            assertThat(pass.run()).isZero();
            assertThat(local.resolve("feeds/big.bin")).doesNotExist();
            assertThat(proxy.chunksAnswered()).isEqualTo(5);

            proxy.beforeChunkRequest(-1, null);
            assertThat(pass.run()).isEqualTo(1);
            assertThat(Files.mismatch(local.resolve("feeds/big.bin"), big)).isEqualTo(-1L);
            assertThat(proxy.chunksAnswered()).isEqualTo(chunks);
            assertThat(local.resolve(".caravan/pull/chunks")).isEmptyDirectory();
            assertThat(pass.run()).isZero();
        }
    }

    @Test
    void aRepublishedParcelReplacesThePulledCopyAndKeepsItAsAVersion(ReceiverFixture remote) throws Exception {
        Path note = Files.createDirectories(tmp.resolve("src")).resolve("note.txt");
        SenderSettings sender = new SenderSettings("http://127.0.0.1:" + remote.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 64 * 1024, "feeds/note.txt"), 2, -1, tmp.resolve("sender"),
                new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        Path local = tmp.resolve("local");
        PullPass pass = new PullPass(new PullPass.Settings(new CatalogClient("http://127.0.0.1:" + remote.port(), null,
                Duration.ofSeconds(30)), "feeds/", local, 1, 0, Versions.inDestination(local, Duration.ofDays(1),
                Clock.systemUTC()), new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))), Clock.systemUTC());
        TestTrees.write(note, "first\n");
        new ParcelSender(sender).send(note, "feeds/note.txt", Map.of("on_conflict", "replace"), ProgressListener.NONE);
        assertThat(pass.run()).isEqualTo(1);
        TestTrees.write(note, "second\n");
        new ParcelSender(sender).send(note, "feeds/note.txt", Map.of("on_conflict", "replace"), ProgressListener.NONE);

        assertThat(pass.run()).isEqualTo(1);

        assertThat(Files.readString(local.resolve("feeds/note.txt"))).isEqualTo("second\n");
        assertThat(TestTrees.keptVersions(local, "feeds/note.txt")).containsExactly("first\n");
    }

    @Test
    void aRemoteThatListsNamesOutsideThePrefixIsNotFollowed() throws Exception {
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hostile = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        hostile.createContext("/", exchange -> {
            asked.add(exchange.getRequestURI().toString());
            byte[] body = ("{\"parcels\":[{\"name\":\"etc/evil\",\"etag\":\"\\\"1\\\"\"},"
                    + "{\"name\":\"other/evil\",\"etag\":\"\\\"1\\\"\"}],\"next\":null}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/parcels") ? 200 : 404, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        hostile.start();
        try {
            Path local = tmp.resolve("local");
            PullPass pass = new PullPass(new PullPass.Settings(new CatalogClient("http://127.0.0.1:" + hostile.getAddress().getPort(),
                    null, Duration.ofSeconds(30)), "feeds/", local, 1, 0, Versions.none(),
                    new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))), Clock.systemUTC());

            assertThat(pass.run()).isZero();

            assertThat(asked).allMatch(uri -> uri.startsWith("/parcels?"));
        } finally {
            hostile.stop(0);
        }
    }
}
