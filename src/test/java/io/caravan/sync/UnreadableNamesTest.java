package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source entry whose name is not valid UTF-8 cannot be read by name: {@code sync --to} says so,
 * counts it as failed (exit 1) on the first pass already, syncs everything else, and never deletes
 * what the mirror holds under that name.
 */
class UnreadableNamesTest {

    @TempDir
    Path tmp;

    @Test
    void aNameThatIsNotUtf8IsAFailureNamedOnTheFirstPass() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(source.resolve("good.txt"), "good");
        Process bad = new ProcessBuilder("sh", "-c", "printf bad > \"$(printf 'b\\351d.txt')\"; mkdir \"$(printf 'd\\351r')\";"
                + " printf in > \"$(printf 'd\\351r')/in.txt\"").directory(source.toFile()).start();
        assertThat(bad.waitFor()).isZero();
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
            java.io.PrintStream out = System.out;
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            CliRunner.Result sync;
            try {
                sync = CliRunner.run("sync", source.toString(), "--to", "http://127.0.0.1:" + receiver.port(),
                        "--name", "nu", "--once", "--state-dir", tmp.resolve("state").toString());
            } finally {
                System.setOut(out);
            }
            String console = printed.toString(java.nio.charset.StandardCharsets.UTF_8);

            assertThat(sync.exitCode()).as(console + sync.err()).isEqualTo(1);
            assertThat(console).contains("not valid UTF-8").contains("d\uFFFDr").contains("b\uFFFDd.txt");
            assertThat(receiver.inbox().resolve("nu/good.txt")).hasContent("good");
        }
    }
}
