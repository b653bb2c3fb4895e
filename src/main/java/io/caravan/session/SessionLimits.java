package io.caravan.session;

/**
 * Bounds a receiver enforces: chunk size, open sessions, bytes per session, free disk floor; whether
 * chunk files are written with direct I/O where the file system allows; and how much memory may
 * hold stored chunk bodies that an extraction will read next (0: it reads them from disk).
 */
public record SessionLimits(long maxChunkSize, int maxOpenSessions, long maxSessionBytes, long minFreeBytes,
                            boolean directIo, long readAheadBytes) {

    public static final SessionLimits DEFAULT = new SessionLimits(32L << 20, 256, 1L << 40, 256L << 20, true, 16L << 20);
}
