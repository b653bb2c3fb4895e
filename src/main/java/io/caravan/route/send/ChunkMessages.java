package io.caravan.route.send;

import io.caravan.CaravanHeaders;
import io.caravan.pack.Chunk;
import io.caravan.pack.PackIterator;
import java.io.Closeable;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
 */
public final class ChunkMessages implements Iterator<Message>, Closeable {

    private final CamelContext context;
    private final PackIterator chunks;
    /** Set by the first chunk whose exchange failed, or by {@link #close()}. */
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The last chunk handed out, until its exchange is watched. */
    private final AtomicReference<Message> unwatched = new AtomicReference<>();

    public ChunkMessages(CamelContext context, PackIterator chunks) {
        this.context = context;
        this.chunks = chunks;
    }

    @Override
    public boolean hasNext() {
        watchLastChunk();
        if (ended.get()) {
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
        message.setHeader(CaravanHeaders.PART_FILE_NAME, chunk.parcel() + ".part" + io.caravan.pack.ChunkInfo.label(chunk.index()));
        if (chunk.last()) {
            message.setHeader(CaravanHeaders.MANIFEST, chunks.manifest().toJson());
        }
        unwatched.set(message);
        return message;
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
                    ended.set(true);
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
        ended.set(true);
        chunks.close();
    }
}
