package io.caravan.session;

/**
 * Bounds a receiver enforces: chunk size, open sessions, bytes and chunks per session, the chunks all open
 * sessions list together (each listed chunk is held on the heap), free disk floor;
 * whether chunk files are written with direct I/O where the file system allows; and how much memory
 * may hold stored chunk bodies that an extraction will read next (0: it reads them from disk).
 */
public record SessionLimits(long maxChunkSize, int maxOpenSessions, long maxSessionBytes, long minFreeBytes,
                            boolean directIo, long readAheadBytes, long maxChunksPerSession, long maxListedChunks) {

    public static final SessionLimits DEFAULT = new SessionLimits(32L << 20, 256, 1L << 40, 256L << 20, true, 16L << 20);

    /** The chunk size {@link #defaultMaxChunks} lets a session of {@code maxSessionBytes} be sent in. */
    public static final long SMALLEST_PLANNED_CHUNK = 1L << 20;
    /** The fewest chunks per session {@link #defaultMaxChunks} allows, however small {@code maxSessionBytes} is. */
    public static final long FEWEST_MAX_CHUNKS = 10_000;

    /**
     * The heap one listed chunk holds, rounded up: its {@link StoredChunk}, its SHA-256 as text, the session's map
     * entry and index (about 230 bytes in a class histogram of a receiver holding 20,000 chunks).
     */
    public static final long HEAP_PER_LISTED_CHUNK = 256;

    /** As the canonical constructor, with {@link #defaultMaxListedChunks} for all open sessions. */
    public SessionLimits(long maxChunkSize, int maxOpenSessions, long maxSessionBytes, long minFreeBytes,
                         boolean directIo, long readAheadBytes, long maxChunksPerSession) {
        this(maxChunkSize, maxOpenSessions, maxSessionBytes, minFreeBytes, directIo, readAheadBytes, maxChunksPerSession,
                defaultMaxListedChunks(Runtime.getRuntime().maxMemory()));
    }

    /** As the canonical constructor, with {@link #defaultMaxChunks} chunks per session. */
    public SessionLimits(long maxChunkSize, int maxOpenSessions, long maxSessionBytes, long minFreeBytes,
                         boolean directIo, long readAheadBytes) {
        this(maxChunkSize, maxOpenSessions, maxSessionBytes, minFreeBytes, directIo, readAheadBytes,
                defaultMaxChunks(maxSessionBytes, Runtime.getRuntime().maxMemory()));
    }

    /**
     * Enough chunks for a session of {@code maxSessionBytes} in 1 MiB chunks (1048577 for 1 TiB), but no more than a
     * quarter of a heap of {@code heapBytes} lists ({@value #HEAP_PER_LISTED_CHUNK} bytes a chunk: 163,840 in the
     * launcher's 160 MiB, 1.25 TiB in the sender's 8 MiB chunks); at least 10000.
     */
    public static long defaultMaxChunks(long maxSessionBytes, long heapBytes) {
        return Math.max(FEWEST_MAX_CHUNKS, Math.min(maxSessionBytes / SMALLEST_PLANNED_CHUNK + 1,
                heapBytes / 4 / HEAP_PER_LISTED_CHUNK));
    }

    /** The chunks all open sessions may list together: what half a heap of {@code heapBytes} holds, at least 10000. */
    public static long defaultMaxListedChunks(long heapBytes) {
        return Math.max(FEWEST_MAX_CHUNKS, heapBytes / 2 / HEAP_PER_LISTED_CHUNK);
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
