package io.caravan;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The warnings (and errors) logged in this process while it is open, as their formatted messages,
 * for tests that check what an operator is told and how often.
 */
public final class LoggedWarnings implements AutoCloseable {

    private record Logged(Level level, String message, boolean trace) {
    }

    private final List<Logged> messages = new CopyOnWriteArrayList<>();
    private final LoggerConfig root;
    private final AbstractAppender appender;
    /** The root level before this lowered it to what it captures; null: left as it was. */
    private final Level raised;

    public LoggedWarnings() {
        this(Level.WARN);
    }

    /**
     * The messages logged at {@code least} or above (say INFO, for a note that must not be a warning). A root
     * level above {@code least} (a command line test's {@code --quiet} in the same JVM sets every logger to WARN)
     * is lowered to it while this is open, so what it captures does not depend on the tests run before.
     */
    public LoggedWarnings(Level least) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        root = context.getConfiguration().getRootLogger();
        Level before = root.getLevel();
        if (before.isMoreSpecificThan(least) && before != least) {
            raised = before;
            Configurator.setLevel(LogManager.ROOT_LOGGER_NAME, least);
        } else {
            raised = null;
        }
        appender = new AbstractAppender("warnings-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(new Logged(event.getLevel(), event.getMessage().getFormattedMessage(), event.getThrown() != null));
            }
        };
        appender.start();
        root.addAppender(appender, least, null);
    }

    /** The messages logged so far that contain {@code text}. */
    public List<String> containing(String text) {
        return messages.stream().map(Logged::message).filter(m -> m.contains(text)).toList();
    }

    /** The levels of the messages logged so far that contain {@code text}, in order. */
    public List<Level> levelsOf(String text) {
        return messages.stream().filter(m -> m.message().contains(text)).map(Logged::level).toList();
    }

    /** The messages logged so far at ERROR or above, or with a stack trace, whatever their level. */
    public List<String> errorsAndTraces() {
        return messages.stream().filter(m -> m.trace() || m.level().isMoreSpecificThan(Level.ERROR)).map(Logged::message).toList();
    }

    @Override
    public void close() {
        root.removeAppender(appender.getName());
        appender.stop();
        if (raised != null) {
            Configurator.setLevel(LogManager.ROOT_LOGGER_NAME, raised);
        }
    }
}
