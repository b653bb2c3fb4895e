package io.caravan.receiver;

import io.caravan.fs.NameRules;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code exceptionHandler} of a netty-http listener (routes/receiver.camel.yaml, routes/console.camel.yaml):
 * what fails outside any route, above all an answer that cannot be written because its client reset or closed
 * the connection. Such a failure of the connection (an I/O error, also as the cause of another) is told in one
 * DEBUG line, where Camel's default handler logs each at WARN with its stack trace: so a client cannot write to
 * the log by hanging up before it reads its answers. It is not counted here: the connection's
 * {@link ConnectionWatch} counts it as {@code connection_lost}, once however many of its reads and writes fail. Anything
 * else is one WARN line without a trace (the trace at DEBUG). The messages name client addresses and may
 * quote what a client sent: they are logged {@link NameRules#shortened(String) shortened}.
 */
public final class ConsumerFailureLog implements ExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerFailureLog.class);

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        String told = NameRules.shortened(message == null ? String.valueOf(exception) : message + ": " + exception);
        if (connectionLost(exception)) {
            LOG.debug("connection lost: {}", told);
        } else {
            LOG.warn("{} (its trace at DEBUG)", told);
            LOG.debug("the trace of: {}", told, exception);
        }
    }

    /** Whether {@code exception} or one of its causes is a failure of the connection itself. */
    static boolean connectionLost(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (ConnectionWatch.connectionLevel(cause)) {
                return true;
            }
        }
        return false;
    }
}
