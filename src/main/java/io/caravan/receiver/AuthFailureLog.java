package io.caravan.receiver;

import io.caravan.audit.AuditEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the log of authentication failures summed up as {@link AuthFailureTally} sums them for the audit
 * trail, for a process that has no audit trail (the sender's console): a client address's first failure of
 * an interval is a WARN line at once, its later ones one line with their count when the interval ends, so a
 * client without the token costs the log a bounded number of lines however many requests it sends. Ask
 * {@link #flush} about as often as a quarter of the interval, so no sum waits for the next failure.
 */
public final class AuthFailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuthFailureLog.class);

    private final String what;
    private final AuthFailureTally tally;

    /** {@code what}: the failure as the log names it, such as {@code "console: a login with a wrong token"}. */
    public AuthFailureLog(String what, Duration interval, Clock clock) {
        this.tally = new AuthFailureTally(interval, clock);
        this.what = what;
    }

    /** One failure of the client at {@code remote}. */
    public void failed(SocketAddress remote) {
        String client = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
        log(tally.failed(client, "", "unauthorized"));
    }

    /** Writes the sums of an interval that has ended. */
    public void flush() {
        log(tally.due());
    }

    private void log(List<AuditEvent> lines) {
        for (AuditEvent line : lines) {
            String from = line.client() == null ? "other clients" : line.client();
            if (line.count() == null) {
                LOG.warn("{} from {}", what, from);
            } else {
                LOG.warn("{} from {}: {} more since the first", what, from, line.count());
            }
        }
    }
}
