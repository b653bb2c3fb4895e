package io.caravan.audit;

import java.time.Instant;
import java.util.List;

/**
 * Where the receiver records what went where. {@link #record} appends one event as one line, is safe
 * from any thread, and never throws: a failed write is logged and the transfer it describes goes on.
 * {@link #since} reads the events back, oldest first, a bounded number of them.
 */
public interface AuditTrail {

    /** The most events one {@link #since} call returns, whatever limit is asked for. */
    int MAX_READ = 1000;

    /** A trail that keeps nothing (a receiver built without one). */
    AuditTrail NONE = new AuditTrail() {
        @Override
        public void record(AuditEvent event) {
        }

        @Override
        public List<AuditEvent> since(Instant since, int limit) {
            return List.of();
        }
    };

    /** Appends {@code event} (its time set to now when it has none); never throws. */
    void record(AuditEvent event);

    /**
     * The events after {@code since} (strictly), the first {@code limit} of them (at most {@link #MAX_READ}),
     * oldest first; with {@code since} null, the last {@code limit} events. A client pages forward by
     * passing the time of the last event it got.
     */
    List<AuditEvent> since(Instant since, int limit);
}
