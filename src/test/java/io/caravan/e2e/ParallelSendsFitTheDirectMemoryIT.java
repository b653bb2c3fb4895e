package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code caravan send}s at their defaults (8 MiB chunks, 4 in flight) to one receiver in the
 * launcher's JVM at once fit its default direct-memory budget ({@code caravan.receiver.direct-memory}:
 * the JVM's 128 MiB less 40 MiB; they held 48 MiB at most when measured): no upload is
 * refused 503 {@code busy}, and once they are done nothing of the budget is held.
 */
class ParallelSendsFitTheDirectMemoryIT {

    private static final int SENDS = 3;
    private static final Pattern BUSY = Pattern.compile("(?m)^caravan_rejections_total\\{reason=\"busy\"} (\\S+)$");

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();
    @TempDir
    Path dir;

    @Test
    void threeSendsAtTheirDefaultsAreNeverAskedToWaitForMemory() throws Exception {
        int port = E2e.freePort();
        processes.start(dir, "serve", SyncOfLargeFilesInDefaultHeapIT.LAUNCHER_DEFAULTS, E2e.serve(port, dir.resolve("inbox")))
                .awaitHttpReady(port);
        List<CaravanProcess> sends = new ArrayList<>();
        for (int i = 0; i < SENDS; i++) {
            Path folder = Files.createDirectories(dir.resolve("source-" + i));
            TestTrees.random(folder.resolve("data.bin"), 48L << 20, i); // incompressible: six whole chunks of 8 MiB
            sends.add(processes.start(dir, "send-" + i, "send", folder.toString(), "parcel-" + i,
                    "--to", "http://127.0.0.1:" + port, "--state-dir", dir.resolve("state-" + i).toString(), "-q"));
        }
        double peak = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        for (CaravanProcess send : sends) {
            while (send.isAlive() && System.nanoTime() < deadline) {
                peak = Math.max(peak, E2e.metric(port, "caravan_direct_memory_held_bytes"));
                Thread.sleep(50);
            }
            assertThat(send.awaitExit(Duration.ofSeconds(10))).as(send.log()).isZero();
        }
        System.out.printf("direct memory held at most %.1f MiB of the budget while %d sends ran%n", peak / (1 << 20), SENDS);
        String metrics = CaravanProcess.get(port, "/metrics").body();
        Matcher busy = BUSY.matcher(metrics);
        assertThat(busy.find() ? Double.parseDouble(busy.group(1)) : 0).as("uploads refused 503 busy").isZero();
        assertThat(E2e.metric(port, "caravan_direct_memory_held_bytes")).isZero();
        for (int i = 0; i < SENDS; i++) {
            assertThat(dir.resolve("inbox").resolve("parcel-" + i).resolve("data.bin")).hasSize(48L << 20);
        }
    }
}
