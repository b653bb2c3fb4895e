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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code caravan.receiver.bwlimit}: the receiver reads all uploads together no faster than its limit. */
class ReceiverBandwidthLimitTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).property("caravan.receiver.bwlimit", "1MiB");

    @Test
    void anUnlimitedSenderIsReadAtTheReceiversLimit(ReceiverFixture receiver) throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("big.bin");
        long size = 4L << 20;
        TestTrees.random(file, size, 23);
        InPlaceChange.settle(file);
        SenderSettings settings = new SenderSettings("http://127.0.0.1:" + receiver.port(), null,
                new PackOptions(Codecs.byName("none"), Codecs.byName("none").defaultLevel(), 256 * 1024, "x"), 4, -1,
                tmp.resolve("state"), new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        long started = System.nanoTime();
        new ParcelSender(settings).send(file, "big.bin", ProgressListener.NONE);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(Files.size(receiver.inbox().resolve("big.bin"))).isEqualTo(size);
        assertThat(size / seconds / (1 << 20)).as("MiB/s over %.2f s", seconds).isBetween(0.75, 1.1);
    }
}
