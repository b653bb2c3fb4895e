package io.caravan.console;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.caravan.audit.AuditEvent;
import java.util.List;

/**
 * The console's reading of recent audit events: finished transfers (publishes, their duration from the
 * session's start when the start is among the events), failures (rejections and authentication
 * failures with their reason code, and their count when a line sums several up) and the mirrors
 * changed; each list newest first and at most {@code limit} long, kept apart ({@link RecentAudit}). Names are passed on as recorded: the page shows them as text.
 */
public record AuditDigest(List<Transfer> transfers, List<Failure> failures, List<Mirror> mirrors) {

    /** A published parcel. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"time", "name", "session", "files", "bytes", "sha256", "duration_ms", "client", "result"})
    public record Transfer(String time, String name, String session, Long files, Long bytes, String sha256,
                           @JsonProperty("duration_ms") Long durationMs, String client, String result) {
    }

    /** A refused request: which event, for what, from whom, the error code answered, and how many such when summed up. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"time", "event", "name", "session", "client", "result", "count"})
    public record Failure(String time, String event, String name, String session, String client, String result, Long count) {
    }

    /** A mirror: its name, when it last changed and how many changes the events hold. */
    @JsonPropertyOrder({"name", "last_change", "changes"})
    public record Mirror(String name, @JsonProperty("last_change") String lastChange, int changes) {
    }

    /** Reads {@code events} (oldest first, as the trail gives them) into windows of {@code limit} ({@link RecentAudit}). */
    public static AuditDigest of(List<AuditEvent> events, int limit) {
        RecentAudit recent = new RecentAudit(limit);
        recent.acceptAll(events);
        return recent.digest();
    }
}
