package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.receiver.ReceiverFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync --to} leaves out the source names a receiver refuses ({@code .caravan} or
 * {@code .caravan-*} at any depth, a backslash, a control character), saying
 * {@code Refused: <path>: <rule>}, and syncs everything else; a name the rules refuse that the mirror
 * already holds is left alone, never asked to be deleted, so the pass is not refused for it.
 */
class MirrorRefusedNamesTest {

    @TempDir
    Path tmp;

    private record Printed(CliRunner.Result result, String console) {
    }

    /** One {@code sync --once} pass of {@code source} to the mirror {@code name}, with what it printed. */
    private Printed sync(Path source, ReceiverFixture receiver, String name) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        String[] args = {"sync", source.toString(), "--to", "http://127.0.0.1:" + receiver.port(), "--name", name, "--once",
            "--state-dir", tmp.resolve("state").toString()};
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            CliRunner.Result sync = CliRunner.run(args);
            return new Printed(sync, printed.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void aReservedNameInTheSourceIsLeftOutAndTheRestIsSynced() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("aaa"), "a");
        Files.writeString(Files.createDirectories(source.resolve("sub/.caravan")).resolve("z"), "z");
        Files.writeString(source.resolve("sub/kept.txt"), "k");
        Files.writeString(source.resolve("back\\slash"), "b");
        Files.writeString(source.resolve("zzz"), "z");
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            Printed first = sync(source, receiver, "mir3");

            assertThat(first.result().exitCode()).as(first.console() + first.result().err()).isZero();
            assertThat(first.console()).contains("Refused: sub/.caravan: '.caravan' is a reserved name")
                    .contains("Refused: back\\slash: backslashes are not allowed").doesNotContain("Failed:");
            Path mirror = receiver.inbox().resolve("mir3");
            assertThat(mirror.resolve("aaa")).hasContent("a");
            assertThat(mirror.resolve("zzz")).hasContent("z");
            assertThat(mirror.resolve("sub/kept.txt")).hasContent("k");
            assertThat(mirror.resolve("sub/.caravan")).doesNotExist();
            assertThat(mirror.resolve("back\\slash")).doesNotExist();

            Printed second = sync(source, receiver, "mir3");
            assertThat(second.result().exitCode()).as(second.console() + second.result().err()).isZero();
            assertThat(second.console()).contains("Refused: sub/.caravan");
        }
    }

    @Test
    void aRefusedNameTheMirrorAlreadyHoldsIsLeftAlone() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("aaa"), "a");
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            Path mirror = Files.createDirectories(receiver.inbox().resolve("nr"));
            Files.writeString(Files.createDirectories(mirror.resolve(".caravan/versions")).resolve("x"), "x");
            Files.writeString(mirror.resolve(".caravan-staging-x"), "x");
            Files.writeString(mirror.resolve("evil\nname\u001b[31m"), "x");

            Printed pass = sync(source, receiver, "nr");

            assertThat(pass.result().exitCode()).as(pass.console() + pass.result().err()).isZero();
            assertThat(mirror.resolve("aaa")).hasContent("a");
            assertThat(mirror.resolve(".caravan/versions/x")).exists();
        }
    }
}
