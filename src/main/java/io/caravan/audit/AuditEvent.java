package io.caravan.audit;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of the audit trail: when (UTC, ISO-8601), what happened ({@code event}), from which client
 * address, to which parcel or path and session, how many files and bytes with which SHA-256, how long it took,
 * and the result ({@code ok} or the error code answered); a line that sums up several authentication
 * failures says how many in {@code count}. Fields not known are absent from the line.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"time", "event", "client", "name", "session", "files", "bytes", "sha256", "duration_ms", "result", "count"})
public record AuditEvent(String time, String event, String client, String name, String session, Long files, Long bytes,
                         String sha256, @JsonProperty("duration_ms") Long durationMs, String result, Long count) {

    public static final String SESSION_START = "session_start";
    public static final String PUBLISH = "publish";
    public static final String EXPIRY = "expiry";
    public static final String REJECTION = "rejection";
    public static final String MIRROR_CHANGE = "mirror_change";
    public static final String DOWNLOAD = "download";
    public static final String AUTH_FAILURE = "auth_failure";
    public static final String OK = "ok";

    /** An event of kind {@code event}, its other fields to be set with the {@code with} methods. */
    public static AuditEvent of(String event) {
        return new AuditEvent(null, event, null, null, null, null, null, null, null, null, null);
    }

    public AuditEvent time(String value) {
        return new AuditEvent(value, event, client, name, session, files, bytes, sha256, durationMs, result, count);
    }

    public AuditEvent client(String value) {
        return new AuditEvent(time, event, value, name, session, files, bytes, sha256, durationMs, result, count);
    }

    public AuditEvent name(String value) {
        return new AuditEvent(time, event, client, value, session, files, bytes, sha256, durationMs, result, count);
    }

    public AuditEvent session(String value) {
        return new AuditEvent(time, event, client, name, value, files, bytes, sha256, durationMs, result, count);
    }

    public AuditEvent files(Long value) {
        return new AuditEvent(time, event, client, name, session, value, bytes, sha256, durationMs, result, count);
    }

    public AuditEvent bytes(Long value) {
        return new AuditEvent(time, event, client, name, session, files, value, sha256, durationMs, result, count);
    }

    public AuditEvent sha256(String value) {
        return new AuditEvent(time, event, client, name, session, files, bytes, value, durationMs, result, count);
    }

    public AuditEvent durationMs(Long value) {
        return new AuditEvent(time, event, client, name, session, files, bytes, sha256, value, result, count);
    }

    public AuditEvent count(Long value) {
        return new AuditEvent(time, event, client, name, session, files, bytes, sha256, durationMs, result, value);
    }

    public AuditEvent result(String value) {
        return new AuditEvent(time, event, client, name, session, files, bytes, sha256, durationMs, value, count);
    }
}
