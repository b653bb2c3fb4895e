package io.caravan.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.caravan.route.send.OutboxHistory;
import io.caravan.route.send.SendsInFlight;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the console shows in a process that sends but runs no receiver ({@code caravan run --role
 * sender}), in the receiver overview's form so the same page shows it: the outbox's parcels in flight
 * as live sessions, its {@code .sent/} parcels as transfers (result {@code ok}), its {@code .failed/}
 * parcels as failures (event {@code send_failure}, the note's reason as result), and the chunk bytes sent
 * since the process started (the page plots their rate). It keeps no state of its own.
 */
public final class SenderOverview implements OverviewSource {

    /** The event a failed send is listed as. */
    static final String SEND_FAILURE = "send_failure";

    private final SendsInFlight inFlight;
    private final OutboxHistory history;
    private final LongSupplier bytesSent;
    private final Clock clock;

    /** {@code bytesSent}: the chunk bytes sent so far (the HTTP transport's client counts them; 0 for the file transport). */
    public SenderOverview(SendsInFlight inFlight, OutboxHistory history, LongSupplier bytesSent, Clock clock) {
        this.inFlight = inFlight;
        this.history = history;
        this.bytesSent = bytesSent;
        this.clock = clock;
    }

    /** The answer of {@code GET /console/api/overview} in a sender: {@code role} {@code sender}, and {@code sent_bytes}. */
    @JsonPropertyOrder({"time", "role", "sent_bytes", "sessions", "transfers", "failures", "mirrors", "shares"})
    public record Overview(String time, String role, @JsonProperty("sent_bytes") long sentBytes, List<LiveSession> sessions,
                           List<AuditDigest.Transfer> transfers, List<AuditDigest.Failure> failures,
                           List<AuditDigest.Mirror> mirrors, List<Shares.Share> shares) {
    }

    @Override
    public Overview overview() throws IOException {
        Instant now = clock.instant();
        List<LiveSession> live = inFlight.now().stream().map(p -> LiveSession.of(p, now)).toList();
        List<AuditDigest.Transfer> sent = history.sent(ConsoleOverview.ROWS).stream()
                .map(s -> new AuditDigest.Transfer(s.time().toString(), s.name(), null, null, s.bytes(), null, null, null, "ok"))
                .toList();
        List<AuditDigest.Failure> failed = history.failed(ConsoleOverview.ROWS).stream()
                .map(f -> new AuditDigest.Failure(f.time().toString(), SEND_FAILURE, f.name(), null, null, f.reason(), null))
                .toList();
        return new Overview(now.toString(), "sender", bytesSent.getAsLong(), live, sent, failed, List.of(), List.of());
    }
}
