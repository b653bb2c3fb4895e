package io.caravan.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * On a terminal, a log line written while the progress bar shows starts on a line of its own (the
 * bar's line is cleared first) and the bar is drawn again below it, so neither cuts the other.
 */
class LogLinesKeepTheProgressBarWholeTest {

    private static final long MIB = 1L << 20;

    @Test
    void aLogLineGoesAboveTheBar() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        PrintStream screen = new PrintStream(terminal, true, StandardCharsets.UTF_8);
        ConsoleProgress progress = new ConsoleProgress(screen, true, false);
        progress.started("send", 100 * MIB, 1);
        progress.bytes(10 * MIB);
        await("the bar on the terminal").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> terminal.toString(StandardCharsets.UTF_8).contains("send"));

        LoggerFactory.getLogger(LogLinesKeepTheProgressBarWholeTest.class).warn("the receiver is slow today");
        progress.bytes(10 * MIB);
        progress.finished(true);

        String output = terminal.toString(StandardCharsets.UTF_8);
        Matcher line = Pattern.compile("([^\\r\\n]*)the receiver is slow today([^\\r\\n]*)(\\r?\\n)?(.?)").matcher(output);
        assertThat(line.find()).as("the log line on the terminal:\n%s", output).isTrue();
        assertThat(line.group(1)).as("what precedes the log line on its line").doesNotContain("send").doesNotContain("%")
                .contains("WARN");
        assertThat(line.group(3)).as("the log line ends its line").isNotNull();
        assertThat(output.substring(line.end())).as("the bar drawn again below the log line").contains("send");
    }
}
