package io.caravan.route.send;

import io.caravan.CaravanHeaders;
import io.caravan.pack.Chunk;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.PackIterator;
import java.io.Closeable;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Turns a {@link PackIterator} into Camel messages for a streaming splitter: body = chunk bytes,
 * headers per {@link CaravanHeaders}; the last one also carries the manifest. Closing it (the
 * splitter does) stops packing if the split ends early. An {@link Error} of the packing (out of heap,
 * out of stack) comes out as the cause of an {@link IllegalStateException}: the splitter, which takes
 * the chunks on the shipping pool, fails the parcel's exchange with an exception, and would lose an
 * {@code Error} with the thread that met it.
 * <p>
 * Once the exchange of a chunk handed out has failed (its failure handled or not), or this is closed,
 * the messages end: a splitter that stops on the failure goes through the messages it did not send, to
 * release their exchanges, before it closes this, and would otherwise pack the whole rest of the parcel
 * for nothing on the thread that ends the split, holding the parcel's exchange (and a stop) meanwhile.
 * Each chunk's exchange is watched from the next call after the splitter gave it the chunk, which
 * Camel's splitter makes before it processes the chunk. Once ended, {@link #hasNext()} is false and
 * {@link #next()} answers {@code null}, which Camel's splitter skips: a thread of the pool told of a
 * chunk just before another thread ended the split gets none, where an exception would be set by Camel
 * on the parcel's exchange over its real failure.
 * <p>
 * A chunk's failure ends the messages only once a chunk being handed out has its exchange (or the thread
 * handing it out called again, or {@link #HAND_OUT_WAIT} passed): Camel's splitter makes each chunk's
 * exchange from its own copy of the parcel's exchange after {@link #next()} returned, and releases that copy
 * when a failure ends the split, so a chunk caught in between met a {@code NullPointerException} that Camel
 * set on the parcel's exchange over the chunk's real failure.
 */
public final class ChunkMessages implements Iterator<Message>, Closeable {

    private final CamelContext context;
    private final PackIterator chunks;
    /** Set by the first chunk whose exchange failed, or by {@link #close()}. */
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The last chunk handed out, until its exchange is watched. */
    private final AtomicReference<Message> unwatched = new AtomicReference<>();
    /** The chunk being handed out and the thread handing it, until it has its exchange or that thread calls again. */
    private final AtomicReference<HandOut> handingOut = new AtomicReference<>();

    /** The longest a chunk's failure waits for a chunk being handed out to have its exchange. */
    private static final Duration HAND_OUT_WAIT = Duration.ofSeconds(2);

    private record HandOut(Message message, Thread thread) {
    }

    /** A chunk's exchange that failed with an exception, and the thread that ended it: the splitter takes the failure there. */
    private record Failure(Exchange exchange, Thread thread) {
    }

    /** The chunk failure that ended the messages, until another thread was told of it (once), or this was closed. */
    private final AtomicReference<Failure> untold = new AtomicReference<>();

    public ChunkMessages(CamelContext context, PackIterator chunks) {
        this.context = context;
        this.chunks = chunks;
    }

    @Override
    public boolean hasNext() {
        handedOut();
        watchLastChunk();
        if (ended.get()) {
            tellFailure();
            return false; // the splitter closes this, which stops the packing
        }
        try {
            return chunks.hasNext();
        } catch (Error e) {
            throw packingEnded(e);
        }
    }

    @Override
    public Message next() {
        handedOut();
        watchLastChunk();
        if (ended.get()) {
            return null;
        }
        Chunk chunk;
        try {
            chunk = chunks.next();
        } catch (NoSuchElementException e) {
            if (ended.get()) {
                return null; // closed by another thread while this one waited for the chunk
            }
            throw e;
        } catch (Error e) {
            throw packingEnded(e);
        }
        if (ended.get()) {
            return null;
        }
        Message message = new DefaultMessage(context);
        message.setBody(chunk.data());
        message.setHeader(CaravanHeaders.PARCEL, chunk.parcel());
        message.setHeader(CaravanHeaders.CHUNK_INDEX, chunk.index());
        message.setHeader(CaravanHeaders.CHUNK_SHA256, chunk.sha256());
        message.setHeader(CaravanHeaders.CHUNK_SIZE, chunk.size());
        message.setHeader(CaravanHeaders.LAST_CHUNK, chunk.last());
        message.setHeader(CaravanHeaders.PART_FILE_NAME, chunk.parcel() + ".part" + ChunkInfo.label(chunk.index()));
        if (chunk.last()) {
            message.setHeader(CaravanHeaders.MANIFEST, chunks.manifest().toJson());
        }
        handingOut.set(new HandOut(message, Thread.currentThread()));
        if (ended.get()) { // set before the hand-out was seen by the failure that ended the messages
            handingOut.set(null);
            return null;
        }
        unwatched.set(message);
        return message;
    }

    /** The calling thread's chunk, if it was handing one out, is handed out: the splitter calls again once it made its exchange. */
    private void handedOut() {
        HandOut handing = handingOut.get();
        if (handing != null && handing.thread() == Thread.currentThread()) {
            handingOut.compareAndSet(handing, null);
        }
    }

    /** Waits, up to {@link #HAND_OUT_WAIT}, until a chunk another thread is handing out has its exchange. */
    private void awaitHandOut() {
        long deadline = System.nanoTime() + HAND_OUT_WAIT.toNanos();
        for (HandOut handing = handingOut.get(); handing != null && handing.thread() != Thread.currentThread()
                && handing.message().getExchange() == null && System.nanoTime() < deadline; handing = handingOut.get()) {
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * Throws the failure of the chunk that ended the messages to a thread other than the one that ended that
     * chunk, once: the splitter takes a chunk's failure on the thread that ended it, after the chunk's exchange is
     * done (which is when the messages end), and a thread of the pool told in between that no chunk is left would
     * end the split as one that went well. A failure thrown here fails it with this failure as the cause; on the
     * failing thread (after the splitter took it) the messages simply end.
     */
    private void tellFailure() {
        Failure failure = untold.get();
        if (failure == null || failure.thread() == Thread.currentThread() || !untold.compareAndSet(failure, null)) {
            return;
        }
        Exchange failed = failure.exchange();
        throw new IllegalStateException("chunk " + failed.getMessage().getHeader(CaravanHeaders.CHUNK_INDEX) + " of parcel "
                + failed.getMessage().getHeader(CaravanHeaders.PARCEL) + " failed: " + failed.getException().getMessage(),
                failed.getException());
    }

    /** Watches the exchange the splitter made for the last chunk handed out, if it made it by now. */
    private void watchLastChunk() {
        Message last = unwatched.get();
        if (last == null || last.getExchange() == null || !unwatched.compareAndSet(last, null)) {
            return;
        }
        last.getExchange().getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange exchange) {
                if (stopsTheSplit(exchange)) {
                    if (exchange.getException() != null) {
                        untold.compareAndSet(null, new Failure(exchange, Thread.currentThread()));
                    }
                    ended.set(true);
                    awaitHandOut();
                }
            }
        });
    }

    /**
     * Whether a chunk's exchange ended as one that stops a split on its failure: failed, rolled back, or
     * with its failure handled (as by an {@code onException} with {@code handled}).
     */
    private static boolean stopsTheSplit(Exchange exchange) {
        return exchange.isFailed() || exchange.isRollbackOnly() || exchange.isRollbackOnlyLast()
                || exchange.getExchangeExtension().isErrorHandlerHandledSet() && exchange.getExchangeExtension().isErrorHandlerHandled();
    }

    private static IllegalStateException packingEnded(Error e) {
        return new IllegalStateException("the packing of the parcel ended with " + e, e);
    }

    @Override
    public void close() {
        untold.set(null); // the split ended: its failure, if any, was taken
        ended.set(true);
        chunks.close();
    }
}
