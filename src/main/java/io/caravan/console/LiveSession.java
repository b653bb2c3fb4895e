package io.caravan.console;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.caravan.receiver.SessionProgress;
import java.time.Duration;
import java.time.Instant;

/**
 * An upload in progress as the console shows it: the session's numbers, its mean speed since it
 * started and, when the sender announced its source's size, that size and the time left at that
 * speed. For an archive the size counts the source's files, not the packed stream, so it is an
 * estimate; {@code expected_bytes} and {@code eta_seconds} are absent when no size was announced.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "name", "kind", "mode", "started_at", "chunks", "bytes", "bytes_per_second", "expected_bytes",
        "eta_seconds"})
public record LiveSession(String id, String name, String kind, String mode, @JsonProperty("started_at") String startedAt,
                          int chunks, long bytes, @JsonProperty("bytes_per_second") long bytesPerSecond,
                          @JsonProperty("expected_bytes") Long expectedBytes, @JsonProperty("eta_seconds") Long etaSeconds) {

    /** The session as of {@code now}; its speed is its bytes over the time since it started (at least one second). */
    public static LiveSession of(SessionProgress progress, Instant now) {
        long millis = Math.max(1000, Duration.between(progress.startedAt(), now).toMillis());
        long speed = progress.bytes() * 1000 / millis;
        Long expected = progress.expectedBytes();
        Long eta = expected == null || speed == 0 ? null : Math.max(0, expected - progress.bytes()) / speed;
        return new LiveSession(progress.id(), progress.name() == null ? progress.id() : progress.name(), progress.kind(),
                progress.mode(), progress.startedAt().toString(), progress.chunks(), progress.bytes(), speed, expected, eta);
    }
}
