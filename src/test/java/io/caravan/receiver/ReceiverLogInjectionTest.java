package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.LoggedWarnings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a client sends reaches the receiver's log with its control characters escaped ({@code \u000a},
 * {@code \u001b}) and cut to a bounded length, whichever value it is in (a codec, a session id, a share
 * name, a {@code since}, a console file, the request path): a client cannot start a line that looks like
 * the receiver's own, nor send an operator's terminal its control sequences.
 */
class ReceiverLogInjectionTest {

    private static final String FORGED = "%0A12:00:00.000%20ERROR%20%5Bmain%5D%20Versions%20-%20FORGED%1B%5B2J";

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");
    @ParameterizedTest
    @CsvSource({
            "GET, /status/abc" + FORGED,
            "GET, /shares/s1" + FORGED + "/events",
            "GET, /parcels?since=" + FORGED,
            "GET, /audit?since=" + FORGED,
            "GET, /console/x" + FORGED,
            "DELETE, /sessions/abc" + FORGED})
    void aValueInTheRequestIsLoggedOnOneLineEscaped(String method, String path, ReceiverFixture receiver) throws Exception {
        List<String> lines = logged(receiver, method, path, null);
        assertThat(lines).isNotEmpty().allSatisfy(ReceiverLogInjectionTest::oneLineEscaped);
    }

    @Test
    void aCodecInTheBodyIsLoggedOnOneLineEscaped(ReceiverFixture receiver) throws Exception {
        List<String> lines = logged(receiver, "POST", "/start", "{\"name\":\"ok\",\"codec\":\"none\\n12:00:00.000 ERROR FORGED\\u001b[2J\"}");
        assertThat(lines).isNotEmpty().allSatisfy(ReceiverLogInjectionTest::oneLineEscaped);
    }

    @Test
    void aLongValueIsCut(ReceiverFixture receiver) throws Exception {
        List<String> lines = logged(receiver, "GET", "/status/" + "a".repeat(12_000), null);
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line.length()).isLessThan(3000));
    }

    private static List<String> logged(ReceiverFixture receiver, String method, String path, String body) throws Exception {
        try (LoggedWarnings log = new LoggedWarnings(Level.INFO)) {
            receiver.send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                    "Authorization", "Bearer secret", "Content-Type", "application/json");
            return log.containing("");
        }
    }

    private static void oneLineEscaped(String line) {
        assertThat(line).doesNotContain("\n", "\r", "\u001b");
        assertThat(line).contains("\\u000a").contains("FORGED");
    }
}
