package io.caravan.receiver;

import io.caravan.fs.NameRules;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Breaks off an answer whose client has stopped taking it: when bytes of the connection's answers
 * wait to be sent and the connection has taken none of them for {@code stall}
 * ({@code caravan.catalog.stall-timeout}), the connection is closed. That ends the answer's transfer,
 * and so releases what it holds: the file it is read from (a published file, a range, a chunk, a
 * share's file or bundle), or the thread writing a listing or an archive.
 *
 * <p>Only progress counts, never its rate: any byte the connection takes starts the time again, so a
 * client that reads slowly, or in bursts as its window reopens, is never cut. Progress is bytes leaving
 * Netty's outbound buffer or, while none do, the kernel's queue for the client shrinking
 * ({@link SendQueues}): a large send buffer takes more from the receiver only once a third of it has
 * drained, which a slow client may take minutes to do while it reads all along. Where the kernel's
 * queue cannot be seen, Netty's buffer alone counts. Nothing is timed while no byte waits for the client (an answer still being prepared,
 * a long poll, a connection between requests). The {@link ConnectionWatch}'s periodic check looks on
 * the connection's event loop, driven by its timer rather than by writes, which a stalled client
 * never causes. Used on the connection's event loop only.
 */
final class AnswerProgress {

    private static final Logger LOG = LoggerFactory.getLogger(AnswerProgress.class);
    /** How many times per stall timeout at most the kernel's queue is looked at while the receiver's bytes stay. */
    private static final long LOOKS = 8;
    /** The most characters of a request line the log repeats. */
    private static final int MAX_LOGGED = 300;

    private final long stallNanos;
    /** The requests whose answers have not started yet, oldest first ({@code METHOD uri}). */
    private final Queue<String> requests = new ArrayDeque<>();
    /** The request of the answer being sent (or last sent). */
    private String answering = "?";
    /** Bytes of that answer's body handed to the connection. */
    private long bodyBytes;
    /** What the outbound buffer looked like at the last check: its first message, that one's progress, the bytes waiting. */
    private Object lastMessage;
    private long lastProgress;
    private long lastPending;
    /** Since when (System.nanoTime) bytes have waited with none taken; -1 while none wait. */
    private long stalledSince = -1;
    /** The bytes the kernel held for the client at the last look, {@link SendQueues#UNKNOWN} when not looked since bytes last left. */
    private long unsent = SendQueues.UNKNOWN;
    /** When (System.nanoTime) the kernel was last looked at. */
    private long lastLook;

    /** {@code stall}: nanoseconds an answer's bytes may wait with none taken; 0 or less for never. */
    AnswerProgress(long stallNanos) {
        this.stallNanos = stallNanos;
    }

    /** How long an answer's bytes may wait with none taken, in nanoseconds; 0 or less: never broken off. */
    long stallNanos() {
        return stallNanos;
    }

    /** A request's head arrived: its answer comes after those of the requests before it. */
    void requested(HttpRequest request) {
        String line = request.method() + " " + request.uri();
        requests.add(line.length() > MAX_LOGGED ? line.substring(0, MAX_LOGGED) + "…" : line);
    }

    /** A message of an answer is handed to the connection (seen before the encoder). */
    void written(Object message) {
        if (message instanceof HttpResponse head && head.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            String next = requests.poll();
            answering = next == null ? "?" : next;
            bodyBytes = 0;
        }
        if (message instanceof HttpContent content) {
            bodyBytes += content.content().readableBytes();
        }
    }

    /**
     * Looks at what waits for {@code channel}'s client at {@code now} (System.nanoTime); closes the
     * connection and returns true when bytes have waited with none taken for the stall timeout.
     */
    boolean check(Channel channel, long now) {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        long pending = out == null ? 0 : out.totalPendingWriteBytes();
        if (stallNanos <= 0 || pending == 0) {
            stalledSince = -1;
            lastMessage = null;
            return false;
        }
        Object message = out.current();
        long progress = out.currentProgress();
        if (stalledSince < 0 || message != lastMessage || progress != lastProgress || pending != lastPending) {
            stalledSince = now; // bytes left the receiver (or more were handed over): the time starts again
            lastMessage = message;
            lastProgress = progress;
            lastPending = pending;
            unsent = SendQueues.UNKNOWN;
            return false;
        }
        if (now - lastLook >= stallNanos / LOOKS || now - stalledSince >= stallNanos) {
            lastLook = now;
            long queued = SendQueues.unsent(channel.localAddress(), channel.remoteAddress());
            if (queued != SendQueues.UNKNOWN && queued != unsent) {
                // the client took bytes the kernel held (or this is the first look since the receiver's last
                // bytes left, and the time counts from here): the time starts again
                stalledSince = now;
                unsent = queued;
                return false;
            }
        }
        if (now - stalledSince < stallNanos) {
            return false;
        }
        lastMessage = null;
        LOG.warn("answer to '{}' broken off: its client {} took no byte of it for {} ms (about {} bytes of its body sent,"
                        + " {} bytes waiting; caravan.catalog.stall-timeout); the connection is closed and what the"
                        + " answer held released", NameRules.shortened(answering), channel.remoteAddress(), stallNanos / 1_000_000,
                Math.max(0, bodyBytes - pending - Math.max(0, unsent)), pending + Math.max(0, unsent));
        channel.close();
        return true;
    }
}
