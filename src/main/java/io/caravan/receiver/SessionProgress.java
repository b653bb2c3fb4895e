package io.caravan.receiver;

import java.time.Instant;

/**
 * How far one open upload session got: what it is ({@code name} as the sender asked, null for a raw
 * session without one; {@code mode} {@code apply} for a mirror parcel), when it started, and the chunks
 * and bytes stored so far, and the sender's size hint ({@code expectedBytes}, null when it gave none). A
 * snapshot: the session goes on after it was taken.
 */
public record SessionProgress(String id, String name, String kind, String mode, Instant startedAt, int chunks, long bytes,
                              Long expectedBytes) {
}
