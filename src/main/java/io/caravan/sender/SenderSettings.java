package io.caravan.sender;

import io.caravan.pack.PackOptions;
import io.caravan.util.DataSize;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * How a sender ships: where to ({@code url}, {@code token}), how to pack, how many chunks in
 * flight, the dedup threshold ({@code -1} disables dedup), where its journal and hash cache live,
 * the retry budget, and the SSL context that trusts the receiver's certificate (null: the JDK's default).
 */
public record SenderSettings(String url, String token, PackOptions pack, int parallel, long dedupMinSize,
                             Path stateDir, Retry retry, SSLContext ssl) {

    public SenderSettings {
        if (parallel < 1 || parallel > 64) {
            throw new IllegalArgumentException("parallel must be between 1 and 64, was " + parallel);
        }
    }

    /** Settings whose HTTPS calls use the JDK's default trust. */
    public SenderSettings(String url, String token, PackOptions pack, int parallel, long dedupMinSize, Path stateDir,
                          Retry retry) {
        this(url, token, pack, parallel, dedupMinSize, stateDir, retry, null);
    }

    /**
     * Chunks in flight live on the heap (about {@code chunk size × (parallel + 3)}): refuses up front,
     * with the fix, a setting that would run out of memory later.
     */
    public void requireHeap(long maxHeap) {
        long needed = chunkMemory(Long.MAX_VALUE);
        if (needed > maxHeap * 3 / 4) {
            throw new IllegalArgumentException(tooMuch(needed, maxHeap, "")
                    + ": lower the chunk size or the parallelism, or raise the heap (JAVA_OPTS=-Xmx...)");
        }
    }

    /**
     * For {@code workers} parcels packed at once that take turns for {@code memory}: refuses up front
     * a setting whose one parcel needs more than the whole budget, so that no worker could ever pack.
     */
    public void requireMemory(ChunkMemory memory, int workers, long maxHeap) {
        long needed = chunkMemory(Long.MAX_VALUE);
        if (needed > memory.budget()) {
            String budget = DataSize.format(memory.budget());
            throw new IllegalArgumentException(tooMuch(needed, maxHeap, workers == 1 ? " for a parcel (chunks get " + budget + " of it)"
                    : " for one of " + workers + " workers' parcels (they take turns for " + budget + " of it)")
                    + ": raise the heap (JAVA_OPTS=-Xmx...)");
        }
    }

    private String tooMuch(long needed, long maxHeap, String shared) {
        return String.format(java.util.Locale.ROOT, "chunk size %s with %d chunks in parallel keeps about %s of chunks in memory,"
                        + " more than this JVM's heap (%s) allows%s", DataSize.format(pack.chunkSize()), parallel,
                DataSize.format(needed), DataSize.format(maxHeap), shared);
    }

    /**
     * The bytes of chunks a parcel whose chunk stream is at most {@code streamBytes} long keeps in
     * memory: {@code parallel} chunks uploading, the one looked ahead, the one queued and the one being
     * filled ({@link io.caravan.pack.PackIterator}), never more chunks than the stream has plus one (a
     * short last chunk is copied); a chunk's buffer starts at 1 MiB and doubles up to the chunk size,
     * so a small parcel needs little.
     */
    public long chunkMemory(long streamBytes) {
        long chunk = pack.chunkSize();
        long chunks = Math.min(parallel + 3L, streamBytes / chunk + 2);
        long buffer = Math.min(chunk, Math.max(1L << 20, Math.min(streamBytes, chunk) * 2));
        return chunks * buffer;
    }
}
