package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.fs.NameRules;
import io.caravan.sync.SyncEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder nested far deeper than a name may go ({@value NameRules#MAX_DEPTH} parts) inside a shared
 * folder is left out below the limit, and the rest is shared and its changes recorded: the scan
 * neither fails on the path the operating system refuses nor spends minutes on it.
 */
class ShareDeepFolderTest {

    private static final int LEVELS = 3000;

    @TempDir
    Path dir;

    @AfterEach
    void removeTheDeepFolder() throws Exception {
        // Java's own removal names each entry by its whole path, which the deep folder makes too long
        new ProcessBuilder("rm", "-rf", dir.resolve("site").toString()).inheritIO().start().waitFor();
    }

    @Test
    void aFolderNestedBeyondTheNameLimitsIsLeftOutAndTheRestShared() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("a"), "a");
        nest(site, LEVELS);

        try (Share share = new Share("site", site, ShareLog.open("site", dir.resolve("log"), 100), Duration.ofMillis(100),
                Duration.ofSeconds(60), 100_000, event -> { })) {
            long start = System.nanoTime();
            share.start();

            assertThat(share.failure()).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            Map<String, SyncEntry> listed = share.log().listing().entries();
            assertThat(listed).containsKey("a");
            assertThat(listed.keySet()).allSatisfy(path -> assertThat(NameRules.problem(path)).isNull());
            assertThat(listed.keySet()).anySatisfy(path -> assertThat(path.split("/")).hasSize(NameRules.MAX_DEPTH));

            Files.writeString(site.resolve("b"), "b");
            await().atMost(Duration.ofSeconds(20)).until(() -> share.log().listing().entries().containsKey("b"));
            assertThat(share.failure()).isNull();
        }
    }

    /** Makes {@code levels} folders {@code d} one in another in {@code parent}, by relative names the system takes. */
    private static void nest(Path parent, int levels) throws Exception {
        String chunk = "/d".repeat(100);
        String script = "mkdir -p deep" + chunk + "; i=100; while [ $i -lt " + levels + " ]; do mkdir -p next" + chunk
                + " && mv deep next" + chunk + "/d && mv next deep || exit 1; i=$((i+101)); done";
        Process made = new ProcessBuilder("sh", "-c", script).directory(parent.toFile()).inheritIO().start();
        assertThat(made.waitFor()).isZero();
    }
}
