package io.caravan.route.send;

import io.caravan.CaravanHeaders;
import io.caravan.pack.Chunk;
import io.caravan.pack.PackIterator;
import java.io.Closeable;
import java.util.Iterator;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;

/**
 * Turns a {@link PackIterator} into Camel messages for a streaming splitter: body = chunk bytes,
 * headers per {@link CaravanHeaders}; the last one also carries the manifest. Closing it (the
 * splitter does) stops packing if the split ends early. An {@link Error} of the packing (out of heap,
 * out of stack) comes out as the cause of an {@link IllegalStateException}: the splitter, which takes
 * the chunks on the shipping pool, fails the parcel's exchange with an exception, and would lose an
 * {@code Error} with the thread that met it.
 */
public final class ChunkMessages implements Iterator<Message>, Closeable {

    private final CamelContext context;
    private final PackIterator chunks;

    public ChunkMessages(CamelContext context, PackIterator chunks) {
        this.context = context;
        this.chunks = chunks;
    }

    @Override
    public boolean hasNext() {
        try {
            return chunks.hasNext();
        } catch (Error e) {
            throw packingEnded(e);
        }
    }

    @Override
    public Message next() {
        Chunk chunk;
        try {
            chunk = chunks.next();
        } catch (Error e) {
            throw packingEnded(e);
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
        return message;
    }

    private static IllegalStateException packingEnded(Error e) {
        return new IllegalStateException("the packing of the parcel ended with " + e, e);
    }

    @Override
    public void close() {
        chunks.close();
    }
}
