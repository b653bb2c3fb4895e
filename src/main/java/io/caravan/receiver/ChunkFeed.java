package io.caravan.receiver;

import io.caravan.session.StoredChunk;
import io.caravan.unpack.WaitingSource;
import io.caravan.util.BulkInputStream;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.Map;

/**
 * A session's stored chunks in index order as one stream, for one run of its extraction: waits for a
 * missing chunk, ends at the manifest's chunk count, and hashes what it reads. A run that has waited
 * {@link #YIELD_AFTER_MILLIS} for a chunk while other extractions wait for a thread gives its thread
 * up: the stream fails, the run is parked, and the extraction starts again once that chunk arrives
 * or the session is finished (from its last checkpoint, if it has one). So a sender that stalls never
 * holds a thread that others need. A feed may also start at a checkpoint's compressed offset
 * ({@link #startAt}); it then hashes nothing (the chunks are checked one by one), and it remembers
 * where the chunks it read lately start, so a checkpoint can be placed by chunk ({@link #chunkAt}).
 */
final class ChunkFeed extends BulkInputStream implements WaitingSource {

    /** How long a run waits for a chunk before it gives its thread up to queued extractions. */
    static final long YIELD_AFTER_MILLIS = 2_000;
    /** How often a waiting run looks whether extractions queued up behind it. */
    private static final long RECHECK_MILLIS = 250;

    private final ExtractionSetup setup;
    private final ExtractionState state;
    private final int gen;
    /** How many chunk starts are remembered for {@link #chunkAt}: what the stages after the feed may read ahead. */
    private static final int REMEMBERED = 64;

    private final MessageDigest digest = Sha256.newDigest();
    /** Where each chunk read lately starts in the stream, guarded by itself (the read stage and the extraction ask). */
    private final java.util.TreeMap<Long, Integer> starts = new java.util.TreeMap<>();
    private InputStream current;
    private int index;
    private long position;
    private long skipInFirst;
    private boolean resumed;
    private boolean abandoned;

    ChunkFeed(ExtractionSetup setup, ExtractionState state, int gen) {
        this.setup = setup;
        this.state = state;
        this.gen = gen;
    }

    /**
     * Starts the stream {@code compressed} bytes in, where a checkpoint lies, instead of at chunk 0; false
     * (nothing changed) when a byte before it lies where the session keeps nothing it can vouch for: in a chunk
     * it does not list (a crash between the checkpoint and the line that lists the chunk, or the lines of the
     * chunks before it: what the sender sends again there may differ from what the extraction read, and
     * skipping it would publish what was read before under the new chunks' hashes), or inside a covered chunk
     * before its tail. A checkpoint at the very start of a chunk not received yet needs nothing of it.
     */
    boolean startAt(long compressed) {
        long start = 0;
        for (int i = 0; ; i++) {
            StoredChunk chunk = setup.session().chunk(i);
            if (chunk == null) {
                return compressed == start && startIn(i, start, 0);
            }
            if (compressed < start + chunk.size()) {
                boolean kept = !chunk.covered() || chunk.hasTail() && compressed >= start + chunk.coveredTo();
                return kept && startIn(i, start, compressed - start);
            }
            start += chunk.size();
        }
    }

    private boolean startIn(int chunk, long start, long skip) {
        index = chunk;
        position = start;
        skipInFirst = skip;
        resumed = true;
        return true;
    }

    /** The SHA-256 of everything read so far; null for a stream started at a checkpoint (its chunks are checked one by one). */
    String sha256() {
        return resumed ? null : Sha256.hex(digest);
    }

    /** The chunk that holds byte {@code offset} of the stream, among those read lately; -1 when not known. */
    int chunkAt(long offset) {
        synchronized (starts) {
            Map.Entry<Long, Integer> start = starts.floorEntry(offset);
            return start == null ? -1 : start.getValue();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (current == null && !openNext()) {
                return -1;
            }
            int n = current.read(b, off, len);
            if (n > 0) {
                if (!resumed) {
                    digest.update(b, off, n);
                }
                position += n;
                return n;
            }
            current.close();
            current = null;
            index++;
        }
    }

    private boolean openNext() throws IOException {
        StoredChunk chunk;
        InputStream direct = null;
        synchronized (state) {
            long waitingSince = -1;
            while (true) {
                if (!state.current(gen)) {
                    throw new InterruptedIOException("extraction restarted");
                }
                if (abandoned) {
                    throw new InterruptedIOException("extraction stopped");
                }
                if (state.pastTheEnd(index)) {
                    return false;
                }
                chunk = setup.session().chunk(index);
                if (chunk != null) {
                    state.reading(index);
                    state.starvedSince = 0;
                    break;
                }
                DirectChunk handed = state.direct.get(index);
                if (handed != null && handed.gen == gen && !handed.opened && skipInFirst == 0) {
                    direct = handed.open(position, state);
                    state.reading(index);
                    state.starvedSince = 0;
                    break;
                }
                long now = System.nanoTime();
                if (state.starvedSince == 0) {
                    state.starvedSince = now;
                    state.notifyAll(); // uploads waiting for a checkpoint learn that the extraction waits for more
                }
                if (waitingSince < 0) {
                    waitingSince = now;
                } else if (now - waitingSince >= YIELD_AFTER_MILLIS * 1_000_000 && setup.pool().othersWaiting()) {
                    state.park(gen, index);
                    throw new InterruptedIOException("extraction parked waiting for chunk " + index);
                }
                try {
                    state.wait(RECHECK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for chunk " + index);
                }
            }
        }
        synchronized (starts) {
            starts.put(position, index);
            if (starts.size() > REMEMBERED) {
                starts.pollFirstEntry();
            }
        }
        if (direct != null) {
            current = direct;
        } else if (chunk.hasTail() && skipInFirst >= chunk.coveredTo()) {
            current = setup.store().openTail(setup.session(), chunk); // where a resumed stream starts: only its tail is kept
            position += chunk.coveredTo();
            skipInFirst -= chunk.coveredTo();
        } else {
            current = setup.store().open(setup.session(), chunk);
        }
        if (skipInFirst > 0) {
            current.skipNBytes(skipInFirst); // the checkpoint lies inside this chunk
            position += skipInFirst;
            skipInFirst = 0;
        }
        return true;
    }

    @Override
    public void abandon() {
        synchronized (state) {
            abandoned = true;
            state.notifyAll();
        }
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
        }
    }
}
