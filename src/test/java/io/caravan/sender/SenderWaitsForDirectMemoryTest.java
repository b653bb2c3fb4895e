package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.util.DirectMemoryBudget;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While a stalled upload holds all of a receiver's direct-memory budget, a sender's chunks are
 * answered 503 {@code busy} (read as such, not as a connection reset, though the sender writes each
 * body whole before it reads the answer), the sender retries them, and its parcel arrives once the
 * stalled upload goes.
 */
class SenderWaitsForDirectMemoryTest {

    @TempDir
    Path tmp;
    ReceiverFixture receiver;

    @AfterEach
    void stop() throws Exception {
        receiver.close();
    }

    @Test
    void chunksRefusedForMemoryAreRetriedUntilThereIsRoom() throws Exception {
        // the budget holds exactly one largest body (4 MiB chunks plus 1 MiB)
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.max-chunk-size", "4MiB",
                "caravan.receiver.direct-memory", "5MiB"));
        DirectMemoryBudget memory = receiver.context().getRegistry()
                .lookupByNameAndType(DirectMemoryBudget.BEAN, DirectMemoryBudget.class);
        Path source = Files.createDirectories(tmp.resolve("src")).resolve("data.bin");
        TestTrees.random(source, 6_000_000, 5);
        ParcelSender sender = new ParcelSender(new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 4 << 20, "x"), 2, 1L << 20, tmp.resolve("state"),
                new Retry(80, Duration.ofMillis(200), Duration.ofMillis(500))));
        String sid = sender.client().start(Map.of("name", "held")).get("session_id").asText();

        try (LoggedWarnings warnings = new LoggedWarnings(); Socket stalled = new Socket("127.0.0.1", receiver.port())) {
            OutputStream out = stalled.getOutputStream();
            out.write(("PUT /upload/" + sid + "/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + (5 << 20) + "\r\n\r\nab")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await("the stalled upload holds the budget").atMost(Duration.ofSeconds(5)).until(memory::held, held -> held == 5 << 20);

            CompletableFuture<ParcelSender.Result> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    return sender.send(source, "data.bin", ProgressListener.NONE);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await("a chunk refused for memory").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !warnings.containing("caravan.receiver.direct-memory").isEmpty());
            assertThat(warnings.containing("caravan.receiver.direct-memory")).allSatisfy(warning ->
                    assertThat(warning).contains("answered 503", "retry later"));
            assertThat(sent).isNotDone();
            stalled.close();

            sent.get(60, TimeUnit.SECONDS);
        }
        assertThat(receiver.inbox().resolve("data.bin")).hasSize(6_000_000);
        await("nothing held once all is stored").atMost(Duration.ofSeconds(10)).until(memory::held, held -> held == 0);
    }
}
