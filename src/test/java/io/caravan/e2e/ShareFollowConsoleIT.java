package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's topology with real processes: {@code caravan serve --share site=<dir>} prints its
 * address, the shared folder, a follower as it connects and leaves and each change; two
 * {@code caravan sync --from} followers print the seed's counts and results, and mirror a change.
 */
class ShareFollowConsoleIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void serverAndFollowersPrintTheSeedsLines() throws Exception {
        Path site = SyncTrees.tree(dir, "site", 20);
        int port = E2e.freePort();
        CaravanProcess serve = processes.start(dir, "serve", "serve", "--port", String.valueOf(port), "--root",
                dir.resolve("inbox").toString(), "--share", "site=" + site).awaitHttpReady(port);
        String url = "http://127.0.0.1:" + port + "/shares/site";
        CaravanProcess one = processes.start(dir, "follow-1", "sync", "--from", url, dir.resolve("f1").toString());
        CaravanProcess two = processes.start(dir, "follow-2", "sync", "--from", url, dir.resolve("f2").toString(), "--workers", "2");
        await("first compare").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> one.log().contains("Following ") && two.log().contains("Following "));
        assertThat(mirrored(dir.resolve("f1"))).isEqualTo(TestTrees.describe(site));
        assertThat(one.log()).contains("Found ").contains(" files to check").contains("Results: ");
        assertThat(serve.log()).contains("Sharing 'site': " + site).contains("caravan sync --from " + url)
                .contains("connected to 'site'");

        TestTrees.write(site.resolve("new file.txt"), "a change\n");
        java.util.Map<String, String> expected = TestTrees.describe(site);
        await("change mirrored").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> mirrored(dir.resolve("f1")).equals(expected) && mirrored(dir.resolve("f2")).equals(expected));
        await("change reported by the follower").atMost(Duration.ofSeconds(5)).until(() -> one.log().contains("Created: new file.txt"));
        await("change printed").atMost(Duration.ofSeconds(5)).until(() -> serve.log().contains("CREATE new file.txt"));

        one.kill();
        assertThat(mirrored(dir.resolve("f2"))).isEqualTo(expected);
        await("follower gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> serve.log().contains(" left 'site'"));
    }

    /** The follower's folder as TestTrees describes it, without its state folder. */
    private static java.util.Map<String, String> mirrored(Path target) throws java.io.IOException {
        java.util.Map<String, String> entries = TestTrees.describe(target);
        entries.keySet().removeIf(p -> p.equals(".caravan-follow") || p.startsWith(".caravan-follow/"));
        return entries;
    }
}
