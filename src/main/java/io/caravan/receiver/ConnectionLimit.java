package io.caravan.receiver;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most connections the receiver holds at once ({@code caravan.receiver.max-connections}), so that
 * clients, whoever they are, can never take every file descriptor nor the heap: by default half of the
 * process's limit ({@code ulimit -n}), the other half kept for the chunk files, session folders, state files
 * and the answers of {@code /health}, and no more than a quarter of the heap holds ({@link #forLimitAndHeap}). A connection that would go past the bound takes the place of the one
 * that has waited longest without a request being worked on (a request head not yet whole, or an idle
 * keep-alive connection), which is closed; only when every connection has a request being worked on is
 * the new one answered {@code 503 busy} and closed. A client that floods the receiver with connections
 * that never send a whole request thus only closes its own, while one that sends its request at once is
 * served. Shared by every connection of one pipeline; its monitor guards its state. A sender's console,
 * on a port of its own, is bounded the same way by its own settings ({@code caravan.console.max-connections}).
 */
public final class ConnectionLimit {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

    /** The fewest connections a derived bound allows, however low the descriptor limit. */
    static final int FEWEST = 16;
    /** The most a derived bound allows (an explicit setting may go higher). */
    static final int MOST = 10_000;
    /** How often the crowding is logged at most. */
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final int max;
    /** Connections without a request being worked on, the one waiting longest first. */
    private final Set<Slot> waiting = new LinkedHashSet<>();
    /** Connections counted within {@link #max}. */
    private int live;
    /** Connections accepted and not yet closed. */
    private int held;
    private long closedForRoom;
    private long refused;
    /** The server's channel while it accepts no more connections, or null. */
    private Channel paused;
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong lastAcceptFailure = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    /** What the bound is said as: the server it bounds and the prefix of its settings. */
    private final String server;
    private final String prefix;

    public ConnectionLimit(int max) {
        this(max, "the receiver", "caravan.receiver");
    }

    /**
     * A bound on the connections of another listener that shares the receiver's pipeline (a sender's console):
     * {@code server} names it ("the console"), {@code prefix} its settings ({@code caravan.console}).
     */
    public ConnectionLimit(int max, String server, String prefix) {
        if (max < 1) {
            throw new IllegalArgumentException(prefix + ".max-connections must be 1 or more, not " + max);
        }
        this.max = max;
        this.server = server;
        this.prefix = prefix;
    }

    /**
     * The heap one connection is counted to hold while it is set up, waits or has a request being worked on:
     * measured in the launcher's JVM, 4.2 KiB an idle connection, 4.9 KiB one with half a request head, 9.6 KiB
     * one with a share poll waiting; the rest is room for the request and answer in the works.
     */
    public static final long HEAP_PER_CONNECTION = 16L << 10;
    /** The part of the heap (one in this many bytes) a derived bound lets connections hold. */
    static final int HEAP_SHARE = 4;

    /**
     * The default bound for a process allowed {@code maxDescriptors} (not positive: unknown): half of them,
     * between {@link #FEWEST} and {@link #MOST}.
     */
    public static int forLimit(long maxDescriptors) {
        long half = maxDescriptors <= 0 ? MOST : maxDescriptors / 2;
        return (int) Math.max(FEWEST, Math.min(MOST, half));
    }

    /**
     * The default bound for a process allowed {@code maxDescriptors} (not positive: unknown) and a heap of
     * {@code maxHeap} bytes ({@link Runtime#maxMemory()}): {@link #forLimit}, lowered to the connections a quarter
     * of the heap holds at {@link #HEAP_PER_CONNECTION} each (so those held past the bound while being closed
     * still leave most of the heap to the routes), never below {@link #FEWEST}.
     */
    public static int forLimitAndHeap(long maxDescriptors, long maxHeap) {
        return (int) Math.max(FEWEST, Math.min(forLimit(maxDescriptors), forHeap(maxHeap)));
    }

    /** The connections a quarter of a heap of {@code maxHeap} bytes holds at {@link #HEAP_PER_CONNECTION} each. */
    private static long forHeap(long maxHeap) {
        return maxHeap / HEAP_SHARE / HEAP_PER_CONNECTION;
    }

    public int max() {
        return max;
    }

    /** Connections counted within {@link #max} now (accepted, not closed to make room nor refused, not yet closed). */
    public synchronized int live() {
        return live;
    }

    /** Connections counted now that have no request being worked on (the ones a new connection may close). */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** Connections accepted and not yet closed now (those being closed, or just accepted, included). */
    synchronized int held() {
        return held;
    }

    /** How far past {@link #max} the connections not yet closed (being closed, or just accepted) may go before accepts pause. */
    private int hardMax() {
        return max + Math.max(8, max / 4);
    }

    /** The place a connection was given, attached to its channel when it was accepted. */
    static final AttributeKey<Slot> SLOT = AttributeKey.valueOf("caravan-connection-slot");

    /** One connection accepted. */
    final class Slot {
        private final Channel channel;
        /** Counted within {@link #max} (not closed to make room, not refused). */
        private boolean live;
        private boolean refused;
        private long heads;
        private long answers;

        private Slot(Channel channel) {
            this.channel = channel;
        }

        /** The bound it was given within. */
        int max() {
            return max;
        }

        /** The server the bound is of ("the receiver"). */
        String server() {
            return server;
        }

        /** The setting of the bound ({@code caravan.receiver.max-connections}). */
        String setting() {
            return prefix + ".max-connections";
        }

        /** Whether the connection is beyond the bound and must be answered 503 busy and closed. */
        boolean refused() {
            return refused;
        }

        /** A request's head arrived whole: the connection has a request being worked on. */
        void headArrived() {
            synchronized (ConnectionLimit.this) {
                heads++;
                waiting.remove(this);
            }
        }

        /** An answer ended: with none left to answer, the connection waits again (the newest to). */
        void answered() {
            synchronized (ConnectionLimit.this) {
                answers++;
                if (live && answers >= heads) {
                    waiting.remove(this);
                    waiting.add(this);
                }
            }
        }
    }

    /**
     * Called for each connection as it is accepted (on the server's channel), before it is set up: gives it its
     * place, closing the connection that waited longest when the bound is reached, or marking it
     * {@link Slot#refused} when none waits. While the connections accepted and not yet closed (those being
     * closed to make room among them) reach {@link #hardMax}, {@code server} accepts no more: new ones wait
     * in the system's queue, holding no descriptor of this process, until some are closed.
     */
    void accepted(Channel channel, Channel server) {
        Slot evicted = null;
        Slot slot = new Slot(channel);
        synchronized (this) {
            held++;
            if (live >= max) {
                Iterator<Slot> oldest = waiting.iterator();
                if (oldest.hasNext()) {
                    evicted = oldest.next();
                    oldest.remove();
                    evicted.live = false;
                    live--;
                    closedForRoom++;
                } else {
                    slot.refused = true;
                    refused++;
                }
            }
            if (!slot.refused) {
                slot.live = true;
                live++;
                waiting.add(slot);
            }
            if (held >= hardMax() && paused == null) {
                paused = server;
                server.config().setAutoRead(false);
            }
        }
        channel.attr(SLOT).set(slot);
        channel.closeFuture().addListener(closed -> closed(slot));
        if (evicted != null) {
            evicted.channel.close();
        }
        if (evicted != null || slot.refused) {
            crowded();
        }
    }

    private synchronized void closed(Slot slot) {
        held--;
        if (slot.live) {
            slot.live = false;
            live--;
            waiting.remove(slot);
        }
        if (paused != null && held <= max + (hardMax() - max) / 2) { // most of those being closed are gone
            paused.config().setAutoRead(true);
            paused = null;
        }
    }

    /**
     * The channel group to give the receiver's HTTP server ({@code channelGroup}): when the server's own
     * channel joins it, the handler that calls {@link #accepted} for every connection is put first in that
     * channel's pipeline, and an accept that fails for want of a descriptor is said in one line, the accepts
     * paused for a second (not a stack trace per attempt).
     */
    public ChannelGroup channels() {
        return new DefaultChannelGroup(prefix.replace('.', '-'), GlobalEventExecutor.INSTANCE) {
            @Override
            public boolean add(Channel channel) {
                if (channel instanceof ServerChannel && channel.pipeline().get("caravan-accept") == null) {
                    channel.pipeline().addFirst("caravan-accept", new AcceptGuard());
                }
                return super.add(channel);
            }
        };
    }

    /** On the server's channel: each accepted connection is counted before it is set up. */
    private final class AcceptGuard extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                accepted(child, ctx.channel());
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof java.io.IOException)) {
                ctx.fireExceptionCaught(cause);
                return;
            }
            long now = System.nanoTime();
            long last = lastAcceptFailure.get();
            if (now - last >= LOG_EVERY_NANOS && lastAcceptFailure.compareAndSet(last, now)) {
                io.caravan.util.FileDescriptors descriptors = io.caravan.util.FileDescriptors.now();
                LOG.warn("{} cannot accept connections ({}; {} of {} descriptors open, {} connections held): accepts are"
                        + " paused for a second at a time until some are free. Raise the descriptor limit (ulimit -n) or"
                        + " lower {}.max-connections; logged at most once a minute", server, cause.getMessage(),
                        descriptors.open() < 0 ? "all" : descriptors.open(), descriptors.max(), held(), prefix);
            }
            ctx.channel().config().setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> {
                synchronized (ConnectionLimit.this) {
                    if (paused == null) { // else resumed once connections are closed
                        ctx.channel().config().setAutoRead(true);
                    }
                }
            }, 1, TimeUnit.SECONDS);
        }
    }

    /** Says, at most once a minute, that the bound was reached and what it did. */
    private void crowded() {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last < LOG_EVERY_NANOS || !lastLogged.compareAndSet(last, now)) {
            return;
        }
        long closed;
        long busy;
        synchronized (this) {
            closed = closedForRoom;
            busy = refused;
        }
        LOG.warn("{} holds its most connections ({}.max-connections={}): so far {} that waited"
                + " longest without a whole request were closed to make room, and {} new ones answered 503 busy because every"
                + " connection had a request being worked on. If the clients are legitimate, raise the descriptor limit"
                + " (ulimit -n) or {}.max-connections; logged at most once a minute", server, prefix, max, closed, busy, prefix);
    }
}
