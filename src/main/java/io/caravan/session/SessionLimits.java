package io.caravan.session;

/**
 * Bounds a receiver enforces: chunk size, open sessions, bytes and chunks per session, free disk floor;
 * whether chunk files are written with direct I/O where the file system allows; and how much memory
 * may hold stored chunk bodies that an extraction will read next (0: it reads them from disk).
 */
public record SessionLimits(long maxChunkSize, int maxOpenSessions, long maxSessionBytes, long minFreeBytes,
                            boolean directIo, long readAheadBytes, long maxChunksPerSession) {

    public static final SessionLimits DEFAULT = new SessionLimits(32L << 20, 256, 1L << 40, 256L << 20, true, 16L << 20);

    /** The chunk size {@link #defaultMaxChunks} lets a session of {@code maxSessionBytes} be sent in. */
    public static final long SMALLEST_PLANNED_CHUNK = 1L << 20;
    /** The fewest chunks per session {@link #defaultMaxChunks} allows, however small {@code maxSessionBytes} is. */
    public static final long FEWEST_MAX_CHUNKS = 10_000;

    /** As the canonical constructor, with {@link #defaultMaxChunks} chunks per session. */
    public SessionLimits(long maxChunkSize, int maxOpenSessions, long maxSessionBytes, long minFreeBytes,
                         boolean directIo, long readAheadBytes) {
        this(maxChunkSize, maxOpenSessions, maxSessionBytes, minFreeBytes, directIo, readAheadBytes,
                defaultMaxChunks(maxSessionBytes));
    }

    /** Enough chunks for a session of {@code maxSessionBytes} in 1 MiB chunks (1048577 for 1 TiB), at least 10000. */
    public static long defaultMaxChunks(long maxSessionBytes) {
        return Math.max(FEWEST_MAX_CHUNKS, maxSessionBytes / SMALLEST_PLANNED_CHUNK + 1);
    }

    /**
     * The most chunks a session that declared {@code chunkSize} (null: none) may hold: {@link #maxChunksPerSession},
     * and no more than {@code maxSessionBytes} needs in chunks of that size, plus one.
     */
    public long maxChunks(Long chunkSize) {
        if (chunkSize == null || chunkSize < 1) {
            return maxChunksPerSession;
        }
        return Math.min(maxChunksPerSession, (maxSessionBytes + chunkSize - 1) / chunkSize + 1);
    }
}
