package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan sync --to} whose pass meets an {@link Error} (out of memory, a stack overflow) while a
 * worker packs a large file (raised as its progress is printed, on the packing thread) ends at once
 * with one line saying what happened and what to give it, exit 1, as a follower does: not with the
 * error taken for an I/O failure, not by trying the same pass again while watching, never with a raw
 * stack trace.
 */
class PushPassErrorTest {

    @TempDir
    Path tmp;

    @Test
    void aPassOutOfMemoryEndsASyncOnceWithOneLineSayingWhatToGiveIt() throws Exception {
        String err = failedSync(() -> new OutOfMemoryError("Java heap space"), "--once");

        assertThat(err).contains("ran out of memory").contains("JAVA_OPTS=-Xmx").contains("--exclude");
    }

    @Test
    void aPassStackOverflowEndsASyncOnceWithOneLineSayingWhatToGiveIt() throws Exception {
        String err = failedSync(StackOverflowError::new, "--once");

        assertThat(err).contains("ran out of stack").contains("JAVA_OPTS=-Xss");
    }

    @Test
    void aPassOutOfMemoryEndsAWatchingSyncInsteadOfPassingAgain() throws Exception {
        String err = failedSync(() -> new OutOfMemoryError("Java heap space"));

        assertThat(err).contains("ran out of memory").contains("JAVA_OPTS=-Xmx");
    }

    /**
     * Runs {@code caravan sync --to} (with {@code more}) over a tree with a large file whose packing
     * raises the error; returns what it printed on standard error, having checked the exit code, that
     * this is one line, and that nothing printed holds a stack trace or a pass tried again.
     */
    private String failedSync(Supplier<Error> error, String... more) throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(tree.resolve("small.txt"), "small");
        TestTrees.random(tree.resolve("large.bin"), 17L << 20, 5); // a parcel of its own, whose progress is printed
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(printed, true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                if (line.startsWith("Copying large.bin")) {
                    throw error.get();
                }
                super.println(line);
            }
        };
        PrintStream out = System.out;
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            List<String> args = new ArrayList<>(List.of("sync", tree.toString(), "--to", "http://127.0.0.1:" + receiver.port(),
                    "--name", "m", "--state-dir", tmp.resolve("state").toString()));
            args.addAll(List.of(more));
            System.setOut(console);
            CliRunner.Result sync;
            try {
                sync = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRunner.run(args.toArray(String[]::new)));
            } finally {
                System.setOut(out);
            }
            String said = printed.toString(StandardCharsets.UTF_8) + sync.err();
            assertThat(sync.exitCode()).as(said).isEqualTo(1);
            assertThat(sync.err().strip()).as(said).startsWith("caravan: error: the pass ").doesNotContain("\n");
            assertThat(said).doesNotContain("\tat ").doesNotContain("Exception in thread").doesNotContain("Sync pass failed");
            return sync.err();
        }
    }
}
