package io.caravan.receiver;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.util.concurrent.PromiseCombiner;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends an answer its connection does not take: while bytes of an answer wait to be sent, the connection
 * must take some within {@code stall}, and at least {@code minRate} bytes per second averaged over each
 * {@code stall} of such waiting; otherwise it is closed (the client sees the answer broken off, never a
 * complete one), with a warning naming the request and the bytes sent. The answer then ends as for a
 * client that went away: its file is closed, its listing or archive thread is free again. Time during
 * which nothing waits (a listing still being written, a long poll) does not count.
 *
 * <p>It sits at the head of the pipeline, below TLS and the receiver's own bandwidth limit, so it sees
 * the bytes as they are handed to the socket (bytes the limit holds back are not the client's doing).
 * It hands them over in slices of at most {@value #SLICE} bytes and counts a slice as taken when the
 * socket has accepted it; at each look it also offers the socket what waits, since the operating system
 * reports room in the socket only once much of its buffer is free. All of it runs on the connection's
 * event loop.
 */
final class AnswerWatch extends ChannelOutboundHandlerAdapter {

    /** Bytes handed to the socket per write at most: the granularity of what is counted as taken. */
    static final int SLICE = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(AnswerWatch.class);

    private final long stallNanos;
    private final long minRate;
    private ScheduledFuture<?> check;
    /** The request being answered, for the log. */
    private String request = "?";
    /** Bytes of its answer taken so far. */
    private long answerTaken;
    /** Bytes handed on and not taken yet. */
    private long waiting;
    /** Since when bytes wait (System.nanoTime), -1 while none do. */
    private long waitingSince = -1;
    private long lastTaken = System.nanoTime();
    /** Nanoseconds bytes waited in the current window, spells ended; and the bytes taken in it. */
    private long waitedInWindow;
    private long takenInWindow;
    /** When the current window began (System.nanoTime). */
    private long windowStart = System.nanoTime();
    private boolean closing;

    /** {@code stall} zero: never timed; {@code minRate} zero: no minimum rate. */
    AnswerWatch(Duration stall, long minRate) {
        this.stallNanos = stall.toNanos();
        this.minRate = minRate;
    }

    /** A request arrived: what follows is its answer (named in the log). */
    void requested(String method, String uri) {
        request = method + " " + (uri.length() > 200 ? uri.substring(0, 200) + "…" : uri);
        answerTaken = 0;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (stallNanos > 0) {
            long period = Math.max(20, Math.min(1000, stallNanos / 4_000_000));
            check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), period, period, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        if (check != null) {
            check.cancel(false);
        }
        super.close(ctx, promise);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (stallNanos <= 0) {
            ctx.write(msg, promise);
        } else if (msg instanceof ByteBuf bytes && bytes.readableBytes() > SLICE) {
            PromiseCombiner all = new PromiseCombiner(ctx.executor());
            try {
                for (int at = bytes.readerIndex(); at < bytes.writerIndex(); at += SLICE) {
                    int size = Math.min(SLICE, bytes.writerIndex() - at);
                    all.add(counted(ctx, bytes.retainedSlice(at, size), size));
                }
            } finally {
                bytes.release();
            }
            all.finish(promise);
        } else if (msg instanceof ByteBuf bytes) {
            counted(ctx, bytes, bytes.readableBytes()).addListener(f -> done(f, promise));
        } else if (msg instanceof FileRegion region) {
            counted(ctx, region, region.count() - region.transferred()).addListener(f -> done(f, promise));
        } else {
            ctx.write(msg, promise);
        }
    }

    private static void done(io.netty.util.concurrent.Future<?> written, ChannelPromise promise) {
        if (written.isSuccess()) {
            promise.trySuccess();
        } else {
            promise.tryFailure(written.cause());
        }
    }

    /** Writes {@code msg} of {@code size} bytes, counted as waiting until the socket takes it. */
    private ChannelFuture counted(ChannelHandlerContext ctx, Object msg, long size) {
        if (size > 0 && waiting == 0) {
            waitingSince = System.nanoTime();
        }
        waiting += size;
        ChannelPromise written = ctx.newPromise();
        written.addListener(f -> taken(size, f.isSuccess()));
        ctx.write(msg, written);
        return written;
    }

    private void taken(long size, boolean sent) {
        long now = System.nanoTime();
        waiting -= size;
        if (sent && size > 0) {
            lastTaken = now;
            answerTaken += size;
            takenInWindow += size;
        }
        if (waiting <= 0 && waitingSince >= 0) {
            waiting = 0;
            waitedInWindow += now - Math.max(waitingSince, windowStart);
            waitingSince = -1;
        }
    }

    private void check(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (closing || !channel.isActive()) {
            return;
        }
        if (waitingSince >= 0 && channel.unsafe() instanceof AbstractNioChannel.NioUnsafe socket) {
            socket.forceFlush(); // the socket may have room the operating system does not report yet
        }
        long now = System.nanoTime();
        if (waitingSince >= 0 && now - Math.max(waitingSince, lastTaken) >= stallNanos) {
            end(ctx, "its connection took no byte of it for " + millis(stallNanos) + " ms while more waited (the client"
                    + " reads nothing, or too little for its connection to take more; caravan.catalog.stall-timeout)");
            return;
        }
        long waited = waitedInWindow + (waitingSince >= 0 ? now - Math.max(waitingSince, windowStart) : 0);
        if (waited < stallNanos) {
            return;
        }
        double seconds = waited / 1e9;
        if (minRate > 0 && takenInWindow < minRate * seconds) {
            end(ctx, String.format(Locale.ROOT, "its connection took %d bytes of it in %.1f s while more waited, less"
                    + " than the %d bytes/s an answer needs (caravan.catalog.min-rate)", takenInWindow, seconds, minRate));
            return;
        }
        waitedInWindow = 0;
        takenInWindow = 0;
        windowStart = now;
    }

    private void end(ChannelHandlerContext ctx, String why) {
        closing = true;
        LOG.warn("answer to {} broken off after {} bytes: {}; its connection is closed and what the answer held"
                + " is let go", request, answerTaken, why);
        ctx.channel().close();
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
