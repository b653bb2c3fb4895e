package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

/**
 * Every log line, whatever name a client or a dropped file gave it, is one line without terminal controls:
 * the console layout of log4j2.properties turns C0 and C1 controls, line and paragraph separators and the
 * bidirectional overrides into U+FFFD, in the message of every logger (not only where a class escapes the names
 * it quotes). A name with U+009B (CSI) could drive a terminal reading the log; one with U+202E shows its text
 * reversed; one with a new line forges the next line.
 */
class LogLinesCarryNoControlsTest {

    @Test
    void aMessageWithControlsIsOneLineOfPlainCharacters() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Appender console = context.getConfiguration().getAppender("console");
        assertThat(console).as("the console appender of log4j2.properties").isNotNull();
        String hostile = "published 'a\u009b2Jb\u0085c\u2028d\u202Eevil.exe\u2066e\u001b[31mf\r\n12:00:00.000 INFO  forged'";

        String line = (String) console.getLayout().toSerializable(Log4jLogEvent.newBuilder().setLoggerName("test")
                .setLevel(Level.INFO).setMessage(new SimpleMessage(hostile)).build());

        assertThat(line).endsWith(System.lineSeparator()).contains("published 'a\uFFFD2Jb").contains("forged'");
        String body = line.substring(0, line.length() - System.lineSeparator().length());
        assertThat(body.chars().filter(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || c == 0x202E
                || c == 0x2066)).as("controls in %s", body).isEmpty();
    }
}
