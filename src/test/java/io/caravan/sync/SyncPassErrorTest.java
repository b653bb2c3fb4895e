package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import io.caravan.receiver.ReceiverFixture;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan run}'s mirror pass ({@link SyncPass}, on its timer route) that meets an {@link Error}
 * (out of memory, a stack overflow) is one warning saying what ran out and what to give it, no stack
 * trace and no "start it again" (the process goes on): the next pass runs and mirrors the folder.
 */
class SyncPassErrorTest {

    @TempDir
    Path tmp;

    @Test
    void aPassOutOfMemoryIsOneLineAndTheNextPassMirrors() throws Exception {
        String said = survivedPass(() -> new OutOfMemoryError("Java heap space"));

        assertThat(said).contains("ran out of memory").contains("JAVA_OPTS=-Xmx").contains("caravan.sync.exclude");
    }

    @Test
    void aPassStackOverflowIsOneLineAndTheNextPassMirrors() throws Exception {
        String said = survivedPass(StackOverflowError::new);

        assertThat(said).contains("ran out of stack").contains("JAVA_OPTS=-Xss");
    }

    /**
     * Runs two passes of a mirror of a small tree, the first one meeting {@code error} as it prints its
     * first change; returns the one warning it logged, having checked that the second pass mirrored the tree.
     */
    private String survivedPass(Supplier<Error> error) throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(tree.resolve("a.txt"), "a");
        AtomicBoolean thrown = new AtomicBoolean();
        PrintStream console = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                if (!thrown.getAndSet(true)) {
                    throw error.get();
                }
            }
        };
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"));
             LoggedWarnings warnings = new LoggedWarnings()) {
            SyncSettings settings = new SyncSettings(tree, "http://127.0.0.1:" + receiver.port(), null, "m", SyncMode.INCREMENTAL,
                    false, 1, tmp.resolve("state"), Duration.ofMillis(100), Duration.ofSeconds(5));
            SyncPass pass = new SyncPass(new MirrorSync(settings, new SyncConsole(console)));

            pass.run();
            assertThat(thrown).isTrue();
            MirrorSync.Outcome next = pass.run();

            assertThat(next.ok()).isTrue();
            assertThat(receiver.inbox().resolve("m/a.txt")).hasContent("a");
            assertThat(warnings.errorsAndTraces()).isEmpty();
            assertThat(warnings.containing("mirror pass")).hasSize(1);
            String said = warnings.containing("mirror pass").get(0);
            assertThat(said).doesNotContain("\n").doesNotContain("start it again").contains("next pass");
            return said;
        }
    }
}
