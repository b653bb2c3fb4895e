package io.caravan.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.caravan.receiver.Receiver;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the console shows, taken from the receiver as it is now: its open sessions, the bytes it
 * received since it started (the page plots their rate), and the recent transfers, failures and mirrors
 * from the audit trail's windows ({@link RecentAudit}, fed as events are recorded), so a poll costs the
 * windows' size, never a read of the trail; plus the shares.
 */
public final class ConsoleOverview implements OverviewSource {

    /** How many rows each list holds at most. */
    public static final int ROWS = 50;

    private final Receiver receiver;
    private final RecentAudit recent;
    private final Shares shares;
    private final Clock clock;

    public ConsoleOverview(Receiver receiver, RecentAudit recent, Shares shares, Clock clock) {
        this.receiver = receiver;
        this.recent = recent;
        this.shares = shares;
        this.clock = clock;
    }

    /** The answer of {@code GET /console/api/overview}. */
    @JsonPropertyOrder({"time", "received_bytes", "sessions", "transfers", "failures", "mirrors", "shares"})
    public record Overview(String time, @JsonProperty("received_bytes") long receivedBytes, List<LiveSession> sessions,
                           List<AuditDigest.Transfer> transfers, List<AuditDigest.Failure> failures,
                           List<AuditDigest.Mirror> mirrors, List<Shares.Share> shares) {
    }

    @Override
    public Overview overview() {
        Instant now = clock.instant();
        List<LiveSession> live = receiver.sessions().progress().stream().map(p -> LiveSession.of(p, now)).toList();
        AuditDigest digest = recent.digest();
        List<AuditDigest.Mirror> mirrors = new ArrayList<>();
        live.stream().filter(s -> "apply".equals(s.mode()))
                .filter(s -> digest.mirrors().stream().noneMatch(m -> m.name().equals(s.name())))
                .forEach(s -> mirrors.add(new AuditDigest.Mirror(s.name(), s.startedAt(), 0)));
        mirrors.addAll(digest.mirrors());
        return new Overview(now.toString(), receiver.bytesReceived(), live, digest.transfers(), digest.failures(),
                mirrors, shares.list());
    }
}
