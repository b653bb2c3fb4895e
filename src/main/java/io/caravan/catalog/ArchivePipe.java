package io.caravan.catalog;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An archive built on an {@link ArchiveWriters} thread and sent as the chunks of a 200 answer
 * without a Netty thread ever waiting for it: at most {@code bufferSize} bytes wait between the
 * writer and the connection, Netty takes only the bytes that are there, and the writer wakes the
 * transfer when it has written more. A writer failure ends the answer with an error (never a short
 * archive that looks complete), and a client that goes away makes the writer fail, which ends its
 * work and releases what it held. A client that takes no byte for the stall timeout has its
 * connection closed by the receiver's connection watch, which ends the transfer and closes this
 * answer: its writer fails the same way, so idle clients never hold the archive threads.
 */
public final class ArchivePipe extends PieceAnswer {

    /** Bytes handed to Netty at most per chunk, and written into the pipe at most per wake-up. */
    private static final int CHUNK = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ArchivePipe.class);

    /** Writes the whole archive to {@code out}. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private final PipedInputStream pipe;
    private final Runnable wake;
    private volatile boolean written;
    private volatile Throwable failure;
    /** Closes the client's connection (null outside Netty): an answer that fails after its 200 must not look unfinished forever. */
    private volatile Runnable hangUp;
    private volatile String name;

    private ArchivePipe(int bufferSize, Runnable wake) {
        super(HttpResponseStatus.OK);
        this.pipe = new PipedInputStream(bufferSize);
        this.wake = wake;
    }

    /**
     * Starts {@code writer} for {@code client} (null: not known) on a thread of {@code writers} named {@code name}
     * (503 {@code busy} when none is free, or the client's address has its share) and closes {@code resource} when it ends. {@code wake} resumes the transfer that reads
     * this answer (Netty's {@code ChunkedWriteHandler}); it is called whenever bytes or the end arrive.
     * {@code hangUp} closes the client's connection when the writer fails after the 200 (null: nothing to close).
     */
    static ArchivePipe start(ArchiveWriters writers, String name, java.net.InetAddress client, int bufferSize, Writer writer,
                             AutoCloseable resource, Runnable wake, Runnable hangUp) throws IOException {
        ArchivePipe answer = new ArchivePipe(bufferSize, wake);
        answer.name = name;
        answer.hangUp = hangUp;
        OutputStream out = new BufferedOutputStream(answer.new Sink(new PipedOutputStream(answer.pipe)), CHUNK);
        writers.run(name, client, () -> {
            try {
                writer.write(out);
                out.flush();
            } catch (Throwable t) {
                answer.failure = t; // before the end below, so the transfer sees it rather than a clean end
            } finally {
                closeQuietly(out);
                closeQuietly(resource);
            }
        }, () -> {
            answer.written = true;
            wake.run();
        });
        return answer;
    }

    @Override
    protected HttpContent nextPiece(ByteBufAllocator allocator) throws Exception {
        boolean ended = written; // read first: whatever was written before the end is in the pipe now
        int available = pipe.available();
        if (available > 0) {
            int take = Math.min(available, pieceSize(CHUNK));
            ByteBuf chunk = allocator.buffer(take);
            try {
                chunk.writeBytes(pipe, take); // there: the pipe does not wait
            } catch (IOException | RuntimeException e) {
                chunk.release();
                throw e;
            }
            synchronized (pipe) {
                pipe.notifyAll(); // a writer waiting for room: the pipe itself would let it sleep up to a second
            }
            return new DefaultHttpContent(chunk);
        }
        if (!ended) {
            return null; // nothing yet: the writer wakes the transfer when there is
        }
        if (failure != null) {
            // the 200 and part of the body are sent: only a closed connection tells the client it is incomplete
            LOG.warn("{} could not be completed ({}); its connection is closed so the client sees it broken off", name,
                    failure.toString());
            Runnable close = hangUp;
            if (close != null) {
                close.run();
            }
            throw new IOException("the archive could not be completed: " + failure.getMessage(), failure);
        }
        return LastHttpContent.EMPTY_LAST_CONTENT;
    }

    @Override
    public long length() {
        return -1;
    }

    /** The transfer ended (sent, or the client went away): a writer still writing fails. */
    @Override
    protected void closeSource() throws IOException {
        pipe.close();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception ignored) {
            // the archive is written or has failed already; nothing more to report
        }
    }

    /** The writer's end of the pipe: wakes the transfer after every piece, pieces small enough that the pipe always takes one. */
    private final class Sink extends OutputStream {
        private final PipedOutputStream sink;

        Sink(PipedOutputStream sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) throws IOException {
            sink.write(b);
            wake.run();
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            for (int done = 0; done < length; ) {
                int piece = Math.min(CHUNK, length - done);
                sink.write(bytes, offset + done, piece);
                wake.run();
                done += piece;
            }
        }

        @Override
        public void close() throws IOException {
            sink.close();
        }
    }
}
