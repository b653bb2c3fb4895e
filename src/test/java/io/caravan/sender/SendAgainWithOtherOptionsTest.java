package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A send the receiver refused at its finish (409: the name is taken) is run again with other
 * publish options ({@code --force}, another {@code --on-conflict}): the rerun publishes with the
 * options it was given, not with those the first run started its session with, and in the session of the
 * first run: its finish gives the new options, and not a chunk is sent again.
 */
class SendAgainWithOtherOptionsTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    ReceiverFixture receiver;
    String to;

    @BeforeEach
    void start(ReceiverFixture started) throws Exception {
        receiver = started;
        to = "http://127.0.0.1:" + receiver.port();
        Path file = Files.createDirectories(tmp.resolve("a")).resolve("Q");
        TestTrees.write(file, "file\n");
        assertThat(send(file).exitCode()).isZero();
        TestTrees.write(Files.createDirectories(tmp.resolve("b/Q")).resolve("x"), "in\n");
    }

    private CliRunner.Result send(Path source, String... options) {
        String[] args = new String[options.length + 7];
        System.arraycopy(new String[] {"send", source.toString(), "--to", to, "--state-dir", tmp.resolve("state").toString(), "-q"},
                0, args, 0, 7);
        System.arraycopy(options, 0, args, 7, options.length);
        return CliRunner.run(args);
    }

    @Test
    void aRerunWithForceReplacesTheFileThatWasInTheWay() throws Exception {
        CliRunner.Result refused = send(tmp.resolve("b/Q"));
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("--force");

        CliRunner.Result forced = send(tmp.resolve("b/Q"), "--force");

        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(receiver.inbox().resolve("Q/x")).hasContent("in");
        assertThat(TestTrees.keptVersions(receiver.inbox(), "Q")).containsExactly("file\n");
    }

    @Test
    void aRerunWithAnotherConflictPolicyPublishesByIt() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("c")).resolve("Q");
        TestTrees.write(other, "other\n");
        CliRunner.Result refused = send(other, "--on-conflict", "fail");
        assertThat(refused.exitCode()).isNotZero();

        CliRunner.Result renamed = send(other, "--on-conflict", "rename");

        assertThat(renamed.exitCode()).as(renamed.err()).isZero();
        assertThat(receiver.inbox().resolve("Q")).hasContent("file");
        assertThat(receiver.inbox().resolve("Q (1)")).hasContent("other");
    }

    @Test
    void aRerunWithForceSendsNoChunkAgain() throws Exception {
        Path big = Files.createDirectories(tmp.resolve("d/Q"));
        TestTrees.random(big.resolve("data.raw"), 3_000_000, 7);
        long before = bytesReceived();
        CliRunner.Result refused = send(big, "--chunk-size", "256K");
        assertThat(refused.exitCode()).isNotZero();
        long firstRun = bytesReceived() - before;
        assertThat(firstRun).isGreaterThan(3_000_000);

        CliRunner.Result forced = send(big, "--chunk-size", "256K", "--force");

        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(bytesReceived() - before).as("chunk bytes received in both runs").isEqualTo(firstRun);
        assertThat(receiver.inbox().resolve("Q/data.raw")).hasSameBinaryContentAs(big.resolve("data.raw"));
        assertThat(TestTrees.keptVersions(receiver.inbox(), "Q")).containsExactly("file\n");
    }

    private long bytesReceived() throws Exception {
        String scrape = receiver.get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^caravan_bytes_received_bytes_total (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(scrape).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
