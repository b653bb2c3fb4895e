package io.caravan.session;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The memory shared by all sessions for chunk bodies kept after their request, for the reader that
 * wants them next: never more than {@code limit} bytes are kept at once, and every kept body is let go
 * exactly once (read, replaced, evicted or its session removed). Bodies kept longer than
 * {@link #HELD_FOR} give way to new ones when the budget is spent.
 */
public final class ReadAheadBudget {

    /** A kept body not read within this long gives way when the budget is spent. */
    static final Duration HELD_FOR = Duration.ofSeconds(10);

    private final long limit;
    private final Clock clock;
    private final Supplier<Collection<Session>> sessions;
    private final AtomicLong heldBytes = new AtomicLong();

    /** {@code sessions}: every session whose kept bodies may be evicted to make room. */
    public ReadAheadBudget(long limit, Clock clock, Supplier<Collection<Session>> sessions) {
        this.limit = limit;
        this.clock = clock;
        this.sessions = sessions;
    }

    /** Bytes of chunk bodies kept right now. */
    public long heldBytes() {
        return heldBytes.get();
    }

    /**
     * Keeps {@code body} as chunk {@code index} of {@code session} (stored under {@code sha256}) if it
     * can outlive its request and there is room; lets go of what was kept for that index before.
     * Called under the session's monitor, before the chunk is listed, so a reader that sees the chunk
     * finds its body.
     */
    void keepOrRelease(Session session, int index, String sha256, ChunkBody body, boolean wanted) {
        long length = body.length();
        if (!wanted || body.keeper() == null || !reserve(length)) {
            letGo(session.release(index));
            return;
        }
        ByteBuffer[] views = new ByteBuffer[body.buffers().length];
        for (int i = 0; i < views.length; i++) {
            views[i] = body.buffers()[i].duplicate();
        }
        letGo(session.hold(index, new HeldBody(sha256, views, length, body.keeper().get(), clock.millis())));
    }

    private boolean reserve(long length) {
        if (heldBytes.addAndGet(length) <= limit) {
            return true;
        }
        heldBytes.addAndGet(-length);
        // bodies waiting for a reader that stalled (a chunk before them missing) give way to live ones
        long before = clock.millis() - HELD_FOR.toMillis();
        sessions.get().forEach(other -> other.dropHeldBefore(before).forEach(this::letGo));
        if (heldBytes.addAndGet(length) <= limit) {
            return true;
        }
        heldBytes.addAndGet(-length);
        return false;
    }

    /** The kept body of {@code chunk} as a stream that lets it go on close; null when none is kept. */
    InputStream open(Session session, StoredChunk chunk) {
        HeldBody held = session.takeHeld(chunk);
        return held == null ? null : new HeldBodyInputStream(held, () -> letGo(held));
    }

    /** Lets go of every body kept for {@code session}. */
    void releaseAll(Session session) {
        session.dropHeld().forEach(this::letGo);
    }

    private void letGo(HeldBody body) {
        if (body != null) {
            heldBytes.addAndGet(-body.length());
            body.release().run();
        }
    }
}
