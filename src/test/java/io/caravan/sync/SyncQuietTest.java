package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync -q} prints what went wrong and the closing results only, as the other commands' {@code -q}
 * does: no start, scan or per-file lines; without it, those lines show.
 */
class SyncQuietTest {

    @TempDir
    Path tmp;

    @Test
    void quietSyncPrintsTheResultsAndWhatFailedOnly() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
        TestTrees.write(tree.resolve("a.txt"), "alpha\n");
        TestTrees.write(tree.getParent().resolve("b.txt"), "bravo\n");
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            String to = "http://127.0.0.1:" + receiver.port();
            CliRunner.Printed quiet = CliRunner.printed("sync", tmp.resolve("tree").toString(), "--to", to, "--name", "q",
                    "--once", "--state-dir", tmp.resolve("state-q").toString(), "-q");
            assertThat(quiet.exitCode()).as(quiet.out() + quiet.err()).isZero();
            assertThat(quiet.out()).contains("Results: ").doesNotContain("Scanning files").doesNotContain("Created: ");

            CliRunner.Printed plain = CliRunner.printed("sync", tmp.resolve("tree").toString(), "--to", to, "--name", "p",
                    "--once", "--state-dir", tmp.resolve("state-p").toString());
            assertThat(plain.exitCode()).as(plain.out() + plain.err()).isZero();
            assertThat(plain.out()).contains("Scanning files", "Results: ");
        }
    }
}
