package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import io.caravan.app.CaravanMain;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan run --role sender} (routes/outbox.camel.yaml and ship-http.camel.yaml) stopped while
 * its uploads are held back by a proxy in front of a real receiver (their answers, or their bodies, for
 * 30 s): the requests in flight are aborted, so the stop takes well under Camel's 10 s wait for the
 * shipping pool, and the parcel stays in the outbox, neither sent nor failed; started again once the
 * proxy passes everything, it resumes the parcel's session and ships it.
 */
class OutboxStopDuringAnUploadTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    /** Uploads of 64 KiB chunks whose bodies have reached the receiver, blocked in the read of their answers. */
    @Test
    void aStopAbortsTheUploadsWaitingForTheirAnswersAndTheParcelResumesLater(ReceiverFixture receiver) throws Exception {
        stopWhileHeldThenResume(receiver, UploadHoldingProxy.Hold.ANSWERS, 2 * 1024 * 1024, "64KiB", "4", 2);
    }

    /**
     * An upload of a 16 MiB chunk blocked in the write of its body (the socket buffers full). Closing its
     * connection there makes the write fail silently inside the JDK's stream, and the JDK then opened a new
     * connection to read the answer to a request never sent on it: the thread waited there for the
     * receiver's idle timeout, and the stop Camel's 10 s for the shipping pool (10.0 s before the fix).
     */
    @Test
    void aStopAbortsAnUploadWritingItsBodyAndTheParcelResumesLater(ReceiverFixture receiver) throws Exception {
        stopWhileHeldThenResume(receiver, UploadHoldingProxy.Hold.BODIES, 20 * 1024 * 1024, "16MiB", "2", 1);
    }

    private void stopWhileHeldThenResume(ReceiverFixture receiver, UploadHoldingProxy.Hold hold, int size, String chunkSize,
                                         String parallel, int heldAtLeast) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        TestTrees.random(staging.resolve("big.bin"), size, 3);
        byte[] content = Files.readAllBytes(staging.resolve("big.bin"));

        try (UploadHoldingProxy proxy = new UploadHoldingProxy(receiver.port(), hold, Duration.ofSeconds(30))) {
            Map<String, String> keys = YamlRoutes.httpSender(tmp, proxy.port(), "caravan.sender.chunk-size", chunkSize,
                    "caravan.sender.parallel", parallel);
            Main sender = CaravanMain.create(List.of("outbox", "ship-http"), keys);
            Duration stop;
            sender.start();
            try {
                Files.move(staging.resolve("big.bin"), outbox.resolve("big.bin"), StandardCopyOption.ATOMIC_MOVE);
                Awaitility.await("uploads held back").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(20)).until(() -> proxy.held() >= heldAtLeast);
                Thread.sleep(500); // the uploads reach their wait: for an answer, or for room in the socket's buffer
            } finally {
                long start = System.nanoTime();
                sender.stop();
                stop = Duration.ofNanos(System.nanoTime() - start);
            }

            assertThat(stop).as("the time the stop took").isLessThan(Duration.ofSeconds(3));
            assertThat(outbox.resolve("big.bin")).as("the parcel, still in the outbox").hasBinaryContent(content);
            assertThat(outbox.resolve(".sent/big.bin")).doesNotExist();
            assertThat(outbox.resolve(".failed/big.bin")).doesNotExist();
            assertThat(receiver.inbox().resolve("big.bin")).doesNotExist();

            proxy.passAll();
            try (LoggedWarnings logged = new LoggedWarnings(Level.INFO)) {
                Main again = CaravanMain.create(List.of("outbox", "ship-http"), keys);
                again.start();
                try {
                    Awaitility.await("the parcel sent after the restart").atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(outbox.resolve(".sent/big.bin")));
                } finally {
                    again.stop();
                }
                assertThat(logged.containing("resuming parcel 'big.bin'")).as("the session resumed").hasSize(1);
            }
        }
        assertThat(receiver.inbox().resolve("big.bin")).hasBinaryContent(content);
    }
}
