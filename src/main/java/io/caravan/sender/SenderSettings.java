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
        long needed = pack.chunkSize() * (parallel + 3L);
        if (needed > maxHeap * 3 / 4) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "chunk size %s with %d chunks in parallel keeps about %s of chunks in memory, more than this JVM's"
                            + " heap (%s) allows: lower the chunk size or the parallelism, or raise the heap (JAVA_OPTS=-Xmx...)",
                    DataSize.format(pack.chunkSize()), parallel, DataSize.format(needed), DataSize.format(maxHeap)));
        }
    }
}
