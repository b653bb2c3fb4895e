package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;

/**
 * What a test captures at INFO does not depend on the tests run before it in the same JVM: a command
 * line test's {@code --quiet} sets every logger to WARN, and an INFO line logged then must still be seen.
 */
class LoggedWarningsTest {

    private static final Logger LOG = LogManager.getLogger("io.caravan.receiver.ErrorAnswers");

    @Test
    void anInfoLineIsCapturedAfterEveryLoggerWasSetToWarn() {
        Level before = root();
        Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.WARN);
        try {
            try (LoggedWarnings logged = new LoggedWarnings(Level.INFO)) {
                LOG.info("rejected GET /x: 404 seen");
                assertThat(logged.containing("404 seen")).hasSize(1);
            }
            assertThat(root()).as("the level is restored once the capture ends").isEqualTo(Level.WARN);
        } finally {
            Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, before);
        }
    }

    private static Level root() {
        return ((LoggerContext) LogManager.getContext(false)).getConfiguration().getRootLogger().getLevel();
    }
}
