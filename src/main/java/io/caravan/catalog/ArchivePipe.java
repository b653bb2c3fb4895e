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
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An archive built on an {@link ArchiveWriters} thread and sent as the chunks of a 200 answer
 * without a Netty thread ever waiting for it: at most {@code bufferSize} bytes wait between the
 * writer and the connection, Netty takes only the bytes that are there, and the writer wakes the
 * transfer when it has written more. A writer failure ends the answer with an error (never a short
 * archive that looks complete), and a client that goes away makes the writer fail, which ends its
 * work and releases what it held. A client that takes no byte for the stall timeout while bytes wait
 * for it is treated as gone: its writer fails and its connection is closed, so idle clients never hold
 * the archive threads.
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
    private volatile boolean closed;
    /** When Netty last took bytes from the pipe (System.nanoTime). */
    private volatile long lastTaken = System.nanoTime();
    /** Since when bytes wait in the pipe for the client (System.nanoTime), -1 while none do; the watch's own. */
    private long waitingSince = -1;
    private volatile ScheduledFuture<?> watch;
    /** Closes the client's connection (null outside Netty): an answer that fails after its 200 must not look unfinished forever. */
    private volatile Runnable hangUp;
    private volatile String name;

    private ArchivePipe(int bufferSize, Runnable wake) {
        super(HttpResponseStatus.OK);
        this.pipe = new PipedInputStream(bufferSize);
        this.wake = wake;
    }

    /**
     * Starts {@code writer} on a thread of {@code writers} named {@code name} (503 {@code busy} when none
     * is free) and closes {@code resource} when it ends. {@code wake} resumes the transfer that reads
     * this answer (Netty's {@code ChunkedWriteHandler}); it is called whenever bytes or the end arrive.
     */
    static ArchivePipe start(ArchiveWriters writers, String name, int bufferSize, Writer writer, AutoCloseable resource,
                             Runnable wake) throws IOException {
        return start(writers, name, bufferSize, writer, resource, wake, null);
    }

    /**
     * As {@link #start(ArchiveWriters, String, int, Writer, AutoCloseable, Runnable)}, and aborted when its
     * client takes nothing for {@code stall}: the writer fails (its thread is free again) and
     * {@code stall.closeConnection()} runs. Null: never aborted for that.
     */
    static ArchivePipe start(ArchiveWriters writers, String name, int bufferSize, Writer writer, AutoCloseable resource,
                             Runnable wake, StallWatch stall) throws IOException {
        ArchivePipe answer = new ArchivePipe(bufferSize, wake);
        answer.name = name;
        answer.hangUp = stall == null ? null : stall.closeConnection();
        OutputStream out = new BufferedOutputStream(answer.new Sink(new PipedOutputStream(answer.pipe)), CHUNK);
        writers.run(name, () -> {
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
        if (stall != null && !stall.timeout().isZero() && !stall.timeout().isNegative()) {
            answer.watch(name, stall);
        }
        return answer;
    }

    /**
     * What aborts an archive whose client takes nothing: {@code timeout} without a byte taken while bytes
     * wait for it, looked at on {@code timer}; {@code closeConnection} ends the client's connection.
     */
    public record StallWatch(Duration timeout, ScheduledExecutorService timer, Runnable closeConnection) {
    }

    private void watch(String name, StallWatch stall) {
        long period = Math.max(20, Math.min(1000, stall.timeout().toMillis() / 4));
        watch = stall.timer().scheduleAtFixedRate(() -> check(name, stall), period, period, TimeUnit.MILLISECONDS);
    }

    /** Aborts the answer when bytes have waited for the client, with none taken, for the whole stall timeout. */
    private void check(String name, StallWatch stall) {
        if (isEndOfInput() || closed) {
            stopWatching();
            return;
        }
        boolean waiting;
        try {
            waiting = pipe.available() > 0;
        } catch (IOException pipeClosed) {
            stopWatching();
            return;
        }
        long now = System.nanoTime();
        if (!waiting) {
            waitingSince = -1; // the writer is slower than the client: nothing waits for the client
            if (written) {
                stopWatching(); // and never will: the writer has ended and its bytes were taken
            }
            return;
        }
        if (waitingSince < 0) {
            waitingSince = now;
        }
        if (now - Math.max(waitingSince, lastTaken) < stall.timeout().toNanos()) {
            return;
        }
        stopWatching();
        failure = new IOException("the client took no byte of " + name + " for " + stall.timeout().toMillis()
                + " ms (caravan.catalog.stall-timeout)");
        LOG.warn("archive download {} aborted: its client read nothing for {} ms (caravan.catalog.stall-timeout);"
                + " the connection is closed and the archive thread free again", name, stall.timeout().toMillis());
        closeQuietly(pipe); // the writer's next write fails: it ends and releases its thread
        stall.closeConnection().run();
    }

    private void stopWatching() {
        ScheduledFuture<?> running = watch;
        if (running != null) {
            running.cancel(false);
        }
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
            lastTaken = System.nanoTime();
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
        closed = true;
        stopWatching();
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
