package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan send} of a folder that holds a reserved name below its top ({@code .caravan-*}, as a
 * follower's state folder is) fails naming the entry and the rule, and the receiver publishes nothing
 * of it: the name rules hold at every depth.
 */
class SendRefusedEntryNameTest {

    @TempDir
    Path tmp;

    @Test
    void aReservedNameBelowTheTopFailsTheSendNamingIt() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs/sub"));
        Files.writeString(docs.resolve("ok.txt"), "ok");
        Files.writeString(docs.resolve(".caravan-follow"), "state");
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            CliRunner.Result send = CliRunner.run("send", tmp.resolve("docs").toString(), "--to",
                    "http://127.0.0.1:" + receiver.port(), "--state-dir", tmp.resolve("state").toString());

            assertThat(send.exitCode()).as(send.err()).isEqualTo(1);
            assertThat(send.err()).contains("docs/sub/.caravan-follow").contains("'.caravan-follow' is a reserved name");
            assertThat(receiver.inbox().resolve("docs")).doesNotExist();
        }
    }
}
