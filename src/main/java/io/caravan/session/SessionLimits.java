package io.caravan.session;

/** Bounds a receiver enforces: chunk size, open sessions, bytes per session, free disk floor. */
public record SessionLimits(long maxChunkSize, int maxOpenSessions, long maxSessionBytes, long minFreeBytes) {

    public static final SessionLimits DEFAULT = new SessionLimits(32L << 20, 256, 1L << 40, 256L << 20);
}
