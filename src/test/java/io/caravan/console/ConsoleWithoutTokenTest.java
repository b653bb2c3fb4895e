package io.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A receiver without a token (loopback only) shows its console at {@code /} at once, like the rest of its API. */
class ConsoleWithoutTokenTest {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void theConsoleNeedsNoLogin(ReceiverFixture receiver) throws Exception {
        assertThat(receiver.get("/").body()).contains("id=\"console\"").doesNotContain("id=\"login-form\"");
        assertThat(receiver.get("/console/api/overview").statusCode()).isEqualTo(200);
        assertThat(receiver.get("/console/console.js").statusCode()).isEqualTo(200);
    }
}
