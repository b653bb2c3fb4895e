package io.caravan.bandwidth;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A send through a real receiver with a bandwidth limit of 1 MiB/s, four chunks in flight sharing it,
 * takes as long as its bytes need at that rate: the rate it reaches is within 10 % of the limit.
 * {@code BandwidthLimitedSendIT} runs the same for 20 s. A low limit shared by four chunks larger than
 * the slices a sender writes at once keeps each upload's bytes flowing: none waits for its next slice
 * as long as the receiver's stall timeout (2 s here) and is cut.
 */
class BandwidthLimitedSendTest {

    static final long RATE = 1L << 20;

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).property("caravan.receiver.stall-timeout", "2s");
    ReceiverFixture receiver;

    @BeforeEach
    void start(ReceiverFixture started) {
        receiver = started;
    }

    @Test
    void aFiveSecondSendHoldsTheLimitWithinTenPercent() throws Exception {
        assertRateHeld(receiver, tmp, 5);
    }

    @Test
    void aLowLimitSharedByFourLargeChunksKeepsEveryUploadFlowing() throws Exception {
        // 16 KiB/s for each of four 128 KiB chunks: 8 s each, longer than the stall timeout between slices of 64 KiB
        assertRateHeld(receiver, tmp, 64 * 1024, 8, 128 * 1024);
    }

    /** Sends {@code seconds} worth of incompressible bytes at {@link #RATE} and checks the rate reached. */
    static void assertRateHeld(ReceiverFixture receiver, Path tmp, int seconds) throws Exception {
        assertRateHeld(receiver, tmp, RATE, seconds, 256 * 1024);
    }

    /** Sends {@code seconds} worth of incompressible bytes at {@code rate} in {@code chunkSize} chunks and checks the rate reached. */
    static void assertRateHeld(ReceiverFixture receiver, Path tmp, long rate, int seconds, int chunkSize) throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("limited.bin");
        long size = rate * seconds;
        TestTrees.random(file, size, 17);
        InPlaceChange.settle(file);
        SenderSettings settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("none"), Codecs.byName("none").defaultLevel(), chunkSize, "x"), 4, -1,
                tmp.resolve("state"), new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        ParcelSender sender = new ParcelSender(settings);
        sender.client().limit(TokenBucket.of(BandwidthSchedule.parse(String.valueOf(rate))));

        long started = System.nanoTime();
        sender.send(file, "limited.bin", ProgressListener.NONE);
        double elapsed = (System.nanoTime() - started) / 1e9;

        assertThat(Files.size(receiver.inbox().resolve("limited.bin"))).isEqualTo(size);
        double reached = size / elapsed;
        assertThat(reached / rate).as("rate %.0f B/s over %.2f s against a limit of %d B/s", reached, elapsed, rate)
                .isBetween(0.9, 1.1);
    }
}
