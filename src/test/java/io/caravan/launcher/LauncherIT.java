package io.caravan.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command through the real launcher and the packaged jar (run by failsafe after
 * {@code package}): {@code ./caravan run} on its embedded defaults moves a file dropped into
 * {@code data/outbox} to {@code data/inbox}, and the launcher's class-data archive is recorded by
 * that command and then used.
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("caravan").toAbsolutePath();
    private static final Path ARCHIVE = Path.of("target", "caravan.jsa").toAbsolutePath();

    @TempDir
    Path work;

    private ProcessBuilder launcher(Path log, String... args) {
        ProcessBuilder builder = new ProcessBuilder(command(args)).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("CARAVAN_") || key.equals("JAVA_OPTS"));
        return builder;
    }

    private static List<String> command(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static int freePort() throws IOException {
        return io.caravan.receiver.ReceiverFixture.freePort();
    }

    private Process run(Path log, String... args) throws IOException {
        return launcher(log, args).start();
    }

    private static void finished(Process process, Path log) throws Exception {
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("ended in time").isTrue();
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();
    }

    /** Under a locale that is not UTF-8 (cron, systemd, LANG=C), names beyond ASCII still pack and unpack as they are. */
    @Test
    void nonAsciiNamesTravelUnderTheCLocale() throws Exception {
        Path source = Files.createDirectories(work.resolve("src/caf\u00e9"));
        Files.writeString(source.resolve("\u65e5\u672c.txt"), "hello");
        Path pack = work.resolve("pack.log");
        ProcessBuilder packing = launcher(pack, "pack", source.toString(), "--out", work.resolve("parts/p").toString());
        packing.environment().put("LANG", "C");
        packing.environment().remove("LC_ALL");
        packing.environment().remove("LC_CTYPE");
        finished(packing.start(), pack);
        Path unpack = work.resolve("unpack.log");
        ProcessBuilder unpacking = launcher(unpack, "unpack", work.resolve("parts/p").toString(), work.resolve("out").toString());
        unpacking.environment().put("LANG", "C");
        unpacking.environment().remove("LC_ALL");
        unpacking.environment().remove("LC_CTYPE");
        finished(unpacking.start(), unpack);
        assertThat(work.resolve("out/caf\u00e9/\u65e5\u672c.txt")).hasContent("hello");
    }

    @Test
    void theFirstShortCommandRecordsTheClassArchiveAndTheNextOnesUseIt() throws Exception {
        Files.deleteIfExists(ARCHIVE);
        Path demo = work.resolve("demo.log");
        finished(run(demo, "demo", "--dir", work.resolve("demo").toString(), "--size", "1MiB"), demo);

        Path version = work.resolve("version.log");
        finished(run(version, "--version"), version);

        assertThat(Files.readString(version)).contains("caravan");
        assertThat(ARCHIVE).as("the archive recorded by 'demo', kept by the next command").exists();
        assertThat(Files.size(ARCHIVE)).isGreaterThan(4L << 20);
    }

    @Test
    void theReadmesFirstCommandMovesADroppedFileToTheInbox() throws Exception {
        int port = freePort();
        Path log = work.resolve("run.log");
        ProcessBuilder run = launcher(log, "run");
        run.environment().put("CARAVAN_RECEIVER_PORT", String.valueOf(port));
        run.environment().put("CARAVAN_SENDER_URL", "http://127.0.0.1:" + port);
        Process process = run.start();
        try {
            byte[] content = "dropped through the README's first command\n".repeat(1000).getBytes();
            Path outbox = work.resolve("data/outbox");
            await("the outbox folder").atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(outbox));
            Path prepared = work.resolve("report.txt");
            Files.write(prepared, content);
            Files.move(prepared, outbox.resolve("report.txt"));

            Path published = work.resolve("data/inbox/report.txt");
            await("report.txt in data/inbox").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.isRegularFile(published) && Files.size(published) == content.length);
            assertThat(Files.readAllBytes(published)).isEqualTo(content);
            // the outbox moves the file to .sent once the receiver's answer is in, just after it is published
            await("report.txt in data/outbox/.sent").atMost(Duration.ofSeconds(30))
                    .until(() -> Files.exists(work.resolve("data/outbox/.sent/report.txt")));
        } finally {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
