package io.caravan.console;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.caravan.audit.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's reading of recent audit events: finished transfers (publishes, their duration from the
 * session's start when the start is among the events), failures (rejections and authentication
 * failures with their reason code) and the mirrors changed; each list newest first and at most
 * {@code limit} long. Names are passed on as recorded: the page shows them as text.
 */
public record AuditDigest(List<Transfer> transfers, List<Failure> failures, List<Mirror> mirrors) {

    /** A published parcel. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"time", "name", "session", "files", "bytes", "sha256", "duration_ms", "client", "result"})
    public record Transfer(String time, String name, String session, Long files, Long bytes, String sha256,
                           @JsonProperty("duration_ms") Long durationMs, String client, String result) {
    }

    /** A refused request: which event, for what, from whom, and the error code answered. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"time", "event", "name", "session", "client", "result"})
    public record Failure(String time, String event, String name, String session, String client, String result) {
    }

    /** A mirror: its name, when it last changed and how many changes the events hold. */
    @JsonPropertyOrder({"name", "last_change", "changes"})
    public record Mirror(String name, @JsonProperty("last_change") String lastChange, int changes) {
    }

    /** Reads {@code events} (oldest first, as the trail gives them). */
    public static AuditDigest of(List<AuditEvent> events, int limit) {
        Map<String, Instant> starts = new HashMap<>();
        List<Transfer> transfers = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        Map<String, Mirror> mirrors = new LinkedHashMap<>();
        for (AuditEvent event : events) {
            switch (event.event()) {
                case AuditEvent.SESSION_START -> {
                    Instant time = instant(event.time());
                    if (event.session() != null && time != null) {
                        starts.put(event.session(), time);
                    }
                }
                case AuditEvent.PUBLISH -> transfers.add(transfer(event, starts.get(event.session())));
                case AuditEvent.REJECTION, AuditEvent.AUTH_FAILURE -> failures.add(new Failure(event.time(), event.event(),
                        event.name(), event.session(), event.client(), event.result()));
                case AuditEvent.MIRROR_CHANGE -> {
                    Mirror before = mirrors.remove(String.valueOf(event.name()));
                    mirrors.put(String.valueOf(event.name()), new Mirror(String.valueOf(event.name()), event.time(),
                            before == null ? 1 : before.changes() + 1));
                }
                default -> {
                }
            }
        }
        List<Mirror> changed = new ArrayList<>(mirrors.values());
        return new AuditDigest(newest(transfers, limit), newest(failures, limit), newest(changed, limit));
    }

    private static Transfer transfer(AuditEvent publish, Instant start) {
        Instant end = instant(publish.time());
        Long duration = start == null || end == null ? publish.durationMs() : Long.valueOf(Duration.between(start, end).toMillis());
        return new Transfer(publish.time(), publish.name(), publish.session(), publish.files(), publish.bytes(),
                publish.sha256(), duration, publish.client(), publish.result());
    }

    /** An event's time, or null for a line whose time is not one (a hand-edited file). */
    private static Instant instant(String time) {
        try {
            return time == null ? null : Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static <T> List<T> newest(List<T> oldestFirst, int limit) {
        List<T> list = new ArrayList<>(oldestFirst.subList(Math.max(0, oldestFirst.size() - limit), oldestFirst.size()));
        Collections.reverse(list);
        return list;
    }
}
