package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code send}, {@code get} and {@code sync} take {@code --bwlimit}; a send with it moves its bytes no faster. */
class BandwidthOptionTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void sendGetAndSyncTakeTheOption() {
        for (Object command : new Object[] {new SendCommand(), new DownloadCommand(), new SyncCommand()}) {
            assertThat(new CommandLine(command).getCommandSpec().findOption("--bwlimit")).as(command.getClass().getSimpleName())
                    .isNotNull();
        }
    }

    @Test
    void aSendWithALimitTakesAsLongAsItsBytesNeed(ReceiverFixture receiver) throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("limited.bin");
        TestTrees.random(file, 3 << 19, 21); // 1.5 MiB at 512 KiB/s: 3 s
        InPlaceChange.settle(file);
        long started = System.nanoTime();
        CliRunner.Result send = CliRunner.run("send", file.toString(), "--to", "http://127.0.0.1:" + receiver.port(),
                "--codec", "none", "--chunk-size", "256KiB", "--bwlimit", "512KiB", "--state-dir", tmp.resolve("state").toString(), "-q");
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(send.exitCode()).as(send.err()).isZero();
        assertThat(seconds).isGreaterThan(2.6);
    }

    /**
     * A send that fails after its upload (here: its finish refused, the name taken and --on-conflict fail) sums up
     * the command's own time: its packing had ended long before, and its time was given as the send's ("elapsed:
     * 0.4 s, 111.5 MB/s" for a send of 42 s).
     */
    @Test
    void aFailedSendGivesItsOwnElapsedTime(ReceiverFixture receiver) throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("taken.bin");
        TestTrees.random(file, 3 << 19, 23); // 1.5 MiB at 512 KiB/s: 3 s, packed well before in 256 KiB chunks
        InPlaceChange.settle(file);
        Files.writeString(receiver.inbox().resolve("taken.bin"), "already here");
        CliRunner.Printed send = CliRunner.printed("send", file.toString(), "--to", "http://127.0.0.1:" + receiver.port(),
                "--codec", "zstd", "--chunk-size", "256KiB", "--bwlimit", "512KiB", "--on-conflict", "fail",
                "--state-dir", tmp.resolve("state").toString());
        assertThat(send.exitCode()).isNotZero();
        java.util.regex.Matcher elapsed = java.util.regex.Pattern.compile("elapsed: ([0-9.]+) s").matcher(send.out());
        assertThat(elapsed.find()).as(send.out()).isTrue();
        assertThat(Double.parseDouble(elapsed.group(1))).isGreaterThan(2.4);
        assertThat(send.out()).doesNotContain("on the wire: 0 B");
    }

    @Test
    void aGetWithALimitTakesAsLongAsItsBytesNeed(ReceiverFixture receiver) throws Exception {
        Path file = Files.createDirectories(tmp.resolve("src")).resolve("fetched.bin");
        TestTrees.random(file, 3 << 19, 22); // 1.5 MiB at 512 KiB/s: 3 s
        InPlaceChange.settle(file);
        String to = "http://127.0.0.1:" + receiver.port();
        CliRunner.Result send = CliRunner.run("send", file.toString(), "--to", to, "--codec", "none",
                "--state-dir", tmp.resolve("state").toString(), "-q");
        assertThat(send.exitCode()).as(send.err()).isZero();

        long started = System.nanoTime();
        CliRunner.Result get = CliRunner.run("get", "fetched.bin", tmp.resolve("local").toString(), "--to", to,
                "--bwlimit", "512KiB", "-q");
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(Files.size(tmp.resolve("local/fetched.bin"))).isEqualTo(3 << 19);
        assertThat(seconds).isGreaterThan(2.6);
    }

    /** A follower (sync --from) reads the share's files no faster than its --bwlimit (it took the option and ignored it). */
    @Test
    void aFollowerWithALimitTakesAsLongAsItsBytesNeed() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        TestTrees.random(site.resolve("shared.bin"), 3 << 19, 24); // 1.5 MiB at 512 KiB/s: 3 s
        try (ReceiverFixture server = new ReceiverFixture(tmp.resolve("inbox2"), java.util.Map.of("caravan.shares.site", site.toString()))) {
            long started = System.nanoTime();
            CliRunner.Result follow = CliRunner.run("sync", "--from", "http://127.0.0.1:" + server.port() + "/shares/site",
                    tmp.resolve("copy").toString(), "--once", "--bwlimit", "512KiB", "-q");
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(follow.exitCode()).as(follow.err()).isZero();
            assertThat(tmp.resolve("copy/shared.bin")).hasSameBinaryContentAs(site.resolve("shared.bin"));
            assertThat(seconds).isGreaterThan(2.6);
        }
        CliRunner.Result bogus = CliRunner.run("sync", "--from", "http://127.0.0.1:1/shares/site", tmp.resolve("copy2").toString(),
                "--once", "--bwlimit", "bogus", "-q");
        assertThat(bogus.exitCode()).isEqualTo(2);
        assertThat(bogus.err()).contains("bandwidth limit 'bogus'");
    }

    @Test
    void aLimitItCannotReadIsRefusedWithTheForms() throws Exception {
        Path file = Files.writeString(tmp.resolve("f.txt"), "x");
        CliRunner.Result send = CliRunner.run("send", file.toString(), "--to", "http://127.0.0.1:1", "--bwlimit", "fast",
                "--state-dir", tmp.resolve("state").toString(), "-q");
        assertThat(send.exitCode()).isNotZero();
        assertThat(send.err()).contains("bandwidth limit 'fast'").contains("08:00,10MiB 19:00,off");

        // at once, as a usage error: not after walking the source and printing a transfer summary
        Files.writeString(Files.createDirectories(tmp.resolve("folder")).resolve("a.txt"), "a");
        CliRunner.Printed folder = CliRunner.printed("send", tmp.resolve("folder").toString(), "--to", "http://127.0.0.1:1",
                "--bwlimit", "fast", "--state-dir", tmp.resolve("state").toString());
        assertThat(folder.exitCode()).isEqualTo(2);
        assertThat(folder.out()).doesNotContain("total files", "folder ");
        assertThat(folder.err()).contains("bandwidth limit 'fast'");
    }
}
