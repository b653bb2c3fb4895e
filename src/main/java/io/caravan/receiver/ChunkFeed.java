package io.caravan.receiver;

import io.caravan.session.StoredChunk;
import io.caravan.unpack.WaitingSource;
import io.caravan.util.BulkInputStream;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;

/**
 * A session's stored chunks in index order as one stream, for one run of its extraction: waits for a
 * missing chunk, ends at the manifest's chunk count, and hashes what it reads. A run that has waited
 * {@link #YIELD_AFTER_MILLIS} for a chunk while other extractions wait for a thread gives its thread
 * up: the stream fails, the run is parked, and the extraction starts again once that chunk arrives
 * or the session is finished. So a sender that stalls never holds a thread that others need.
 */
final class ChunkFeed extends BulkInputStream implements WaitingSource {

    /** How long a run waits for a chunk before it gives its thread up to queued extractions. */
    static final long YIELD_AFTER_MILLIS = 2_000;
    /** How often a waiting run looks whether extractions queued up behind it. */
    private static final long RECHECK_MILLIS = 250;

    private final ExtractionSetup setup;
    private final ExtractionState state;
    private final int gen;
    private final MessageDigest digest = Sha256.newDigest();
    private InputStream current;
    private int index;
    private boolean abandoned;

    ChunkFeed(ExtractionSetup setup, ExtractionState state, int gen) {
        this.setup = setup;
        this.state = state;
        this.gen = gen;
    }

    /** The SHA-256 of everything read so far. */
    String sha256() {
        return Sha256.hex(digest);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (current == null && !openNext()) {
                return -1;
            }
            int n = current.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                return n;
            }
            current.close();
            current = null;
            index++;
        }
    }

    private boolean openNext() throws IOException {
        StoredChunk chunk;
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
                    break;
                }
                long now = System.nanoTime();
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
        current = setup.store().open(setup.session(), chunk);
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
