package io.caravan.receiver;

import io.caravan.util.DirectMemoryBudget;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.camel.component.netty.ChannelHandlerFactory;

/**
 * The receiver's additions to netty-http's server pipeline, registered as its {@code decoders}
 * entry (routes/receiver.camel.yaml) so each connection gets a {@link RequestGate} right after the
 * HTTP decoder, ahead of the aggregator: the token and the size of a request are checked from its
 * headers before any body byte is read or acknowledged.
 */
public final class ReceiverPipeline extends ChannelHandlerAdapter implements ChannelHandlerFactory {

    private final BearerToken token;
    private final long maxJsonBody;
    private final long maxUploadBody;
    private final Consumer<String> rejected;
    private final ReceiverAudit audit;
    private final ChannelHandler shaper;
    private Duration stall = DEFAULT_STALL;
    private Duration head = DEFAULT_HEAD;
    private Duration idle = DEFAULT_IDLE;
    private long minBodyRate = DEFAULT_MIN_BODY_RATE;
    private Duration answerStall = DEFAULT_ANSWER_STALL;
    private DirectMemoryBudget directMemory;
    private JsonMemory jsonMemory;
    private Duration busyBodyTime = DEFAULT_BUSY_BODY_TIME;
    private int addressShare = DEFAULT_ADDRESS_SHARE;
    private int sendBuffer = DEFAULT_SEND_BUFFER;
    /** Made from {@link #directMemory} and {@link #addressShare} by the first connection after either was set. */
    private AddressShares shares;
    private boolean sharesMade;
    /** The prefix of the settings its bounds are set by and its refusals name. */
    private String prefix = "caravan.receiver";
    private java.util.Set<String> allowedHosts = java.util.Set.of();

    /**
     * How long a request may go without a byte arriving, and how long its request line and headers may
     * take from their first byte, before it gets 408 ({@code caravan.receiver.stall-timeout}).
     */
    public static final Duration DEFAULT_STALL = Duration.ofSeconds(60);
    /**
     * How long a request's line and headers may take from their first byte, and a new connection to send
     * that byte, before it gets 408 or is closed ({@code caravan.receiver.head-timeout}; at most the stall timeout).
     */
    public static final Duration DEFAULT_HEAD = Duration.ofSeconds(10);
    /** How long a connection may sit idle between requests before it is closed ({@code caravan.receiver.idle-timeout}). */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(120);
    /**
     * Bytes per second a request body must average over each stall timeout before it gets 408
     * ({@code caravan.receiver.min-body-rate}): the rate Caravan's clients ask of the answers they read.
     */
    public static final long DEFAULT_MIN_BODY_RATE = 1024;
    /**
     * Within how long an upload body must arrive whole, at its average pace, while uploads wait for the
     * direct-memory budget ({@code caravan.receiver.busy-body-time}; see {@link BodyPace}).
     */
    public static final Duration DEFAULT_BUSY_BODY_TIME = Duration.ofSeconds(60);
    /**
     * The percentage of the direct-memory budget the bodies one client address is sending may hold while uploads
     * wait for it ({@code caravan.receiver.address-share}; see {@link AddressShares}).
     */
    public static final int DEFAULT_ADDRESS_SHARE = 50;
    /**
     * The send buffer of each connection (SO_SNDBUF, {@code caravan.receiver.send-buffer}): the most answer bytes the
     * kernel queues for one client (Linux counts twice this, bookkeeping included), where the system would let it
     * grow to its {@code tcp_wmem} maximum (4 MiB) for a client that reads nothing. A 1 GiB download over loopback
     * is no slower with it.
     */
    public static final int DEFAULT_SEND_BUFFER = 256 << 10;
    /**
     * How long an answer's bytes may wait for a client that takes none of them before the answer is broken
     * off and its connection closed ({@code caravan.catalog.stall-timeout}; see {@link AnswerProgress}).
     */
    public static final Duration DEFAULT_ANSWER_STALL = Duration.ofMinutes(5);

    /**
     * {@code maxJsonBody}: JSON requests (POST); {@code maxUploadBody}: chunk uploads (PUT);
     * {@code rejected} is told the error code of each request the pipeline refuses (for the metrics).
     */
    public ReceiverPipeline(BearerToken token, long maxJsonBody, long maxUploadBody, Consumer<String> rejected) {
        this(token, maxJsonBody, maxUploadBody, rejected, null);
    }

    /** As above, each request refused for its token also recorded in {@code audit} (null: none). */
    public ReceiverPipeline(BearerToken token, long maxJsonBody, long maxUploadBody, Consumer<String> rejected,
                            ReceiverAudit audit) {
        this(token, maxJsonBody, maxUploadBody, rejected, audit, null);
    }

    /** As above, every connection's bytes also passing {@code bandwidth}'s shared limit (null: none). */
    public ReceiverPipeline(BearerToken token, long maxJsonBody, long maxUploadBody, Consumer<String> rejected,
                            ReceiverAudit audit, ReceiverBandwidth bandwidth) {
        this.shaper = bandwidth == null ? null : bandwidth.shaper();
        this.audit = audit;
        this.token = token;
        this.maxJsonBody = maxJsonBody;
        this.maxUploadBody = maxUploadBody;
        this.rejected = rejected;
    }

    @Override
    public ChannelHandler newChannelHandler() {
        return new RequestGate(token, new BrowserRequests(!token.required(), allowedHosts), maxJsonBody, maxUploadBody,
                directMemory, shares(), jsonMemory, rejected, audit, shaper,
                sendBuffer,
                new ConnectionWatch(stall, head, idle, minBodyRate, new AnswerProgress(answerStall.toNanos()), rejected,
                        directMemory == null || busyBodyTime.isZero() ? null : new BodyPace(directMemory, busyBodyTime),
                        prefix));
    }

    /**
     * Makes this the pipeline of another listener (a sender's console), whose bounds are set, and refusals
     * named, by the settings under {@code prefix} ({@code caravan.console}); returns this.
     */
    public ReceiverPipeline settings(String prefix) {
        this.prefix = prefix;
        return this;
    }

    /**
     * The names besides IP addresses and {@code localhost} that a receiver without a token answers to
     * ({@link BrowserRequests}; {@code caravan.receiver.allowed-hosts}); returns this.
     */
    public ReceiverPipeline allowedHosts(java.util.Set<String> names) {
        this.allowedHosts = java.util.Set.copyOf(names);
        return this;
    }

    /** Sets how long a request head may take to arrive whole, for the connections opened from now on; returns this. */
    public ReceiverPipeline headTimeout(Duration head) {
        if (head.isZero() || head.isNegative()) {
            throw new IllegalArgumentException(prefix + ".head-timeout must be positive, not " + head);
        }
        this.head = head;
        return this;
    }


    /** Sets the {@link ConnectionWatch}'s bounds for the connections opened from now on; returns this. */
    public ReceiverPipeline timeouts(Duration stall, Duration idle) {
        if (stall.isZero() || stall.isNegative() || idle.isZero() || idle.isNegative()) {
            throw new IllegalArgumentException(prefix + ".stall-timeout and idle-timeout must be positive, not "
                    + stall + " and " + idle);
        }
        this.stall = stall;
        this.idle = idle;
        return this;
    }

    /** Sets the bytes per second a body must average for the connections opened from now on (0: no minimum); returns this. */
    public ReceiverPipeline minBodyRate(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException(prefix + ".min-body-rate must be 0 or more, not " + bytesPerSecond);
        }
        this.minBodyRate = bytesPerSecond;
        return this;
    }

    /**
     * Sets how long an answer's bytes may wait with none taken by its client before its connection is closed,
     * for the connections opened from now on (zero: never); returns this.
     */
    public ReceiverPipeline answerStall(Duration stall) {
        if (stall.isNegative()) {
            throw new IllegalArgumentException("caravan.catalog.stall-timeout must be 0 or more, not " + stall);
        }
        this.answerStall = stall;
        return this;
    }

    /**
     * Reserves each upload body of the connections opened from now on in {@code budget} before it is read
     * (503 {@code busy} when it has no room: see {@link UploadGathering}); without one, bodies are bounded only
     * by the allocator. The budget must hold the largest body accepted. Returns this.
     */
    public ReceiverPipeline directMemory(DirectMemoryBudget budget) {
        if (budget.limit() < maxUploadBody) {
            throw new IllegalArgumentException("property " + DirectMemoryBudget.SETTING + "=" + budget.limit()
                    + " is not valid: it must hold the largest upload body, " + maxUploadBody
                    + " bytes (caravan.receiver.max-chunk-size plus 1 MiB)");
        }
        synchronized (this) {
            this.directMemory = budget;
            this.sharesMade = false;
        }
        return this;
    }

    /**
     * Reserves the heap of each request with a body that is not an upload (every JSON request) of the connections
     * opened from now on in {@code budget} before its body is read, until its answer has ended (503 {@code busy}
     * when it has no room, 413 when the request could never fit: see {@link JsonBodyReservation}); without one,
     * nothing bounds what such requests hold together. Returns this.
     */
    public ReceiverPipeline jsonMemory(JsonMemory budget) {
        this.jsonMemory = budget;
        return this;
    }

    /**
     * Sets within how long a reserved upload body must arrive whole, at its average pace, while uploads wait for
     * the direct-memory budget, for the connections opened from now on (zero: no such pace); returns this.
     */
    public ReceiverPipeline busyBodyTime(Duration time) {
        if (time.isNegative()) {
            throw new IllegalArgumentException("caravan.receiver.busy-body-time must be 0 or more, not " + time);
        }
        this.busyBodyTime = time;
        return this;
    }

    /**
     * Sets the percentage (1 to 100, 100: no share) of the direct-memory budget the bodies one client address is
     * sending may hold while uploads wait for it, for the connections opened from now on (before or after
     * {@link #directMemory}); returns this.
     */
    public ReceiverPipeline addressShare(int percent) {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("property caravan.receiver.address-share=" + percent
                    + " is not valid: a percentage from 1 to 100 (100: no share)");
        }
        synchronized (this) {
            this.addressShare = percent;
            this.sharesMade = false;
        }
        return this;
    }

    /**
     * The one {@link AddressShares} of the connections opened from now on: made once both the budget and the
     * share are known, whichever was set first (null: no budget, or a share of 100).
     */
    private synchronized AddressShares shares() {
        if (!sharesMade) {
            shares = directMemory == null || addressShare == 100 ? null : new AddressShares(directMemory, addressShare);
            sharesMade = true;
        }
        return shares;
    }

    /**
     * Sets the send buffer (SO_SNDBUF) of the connections opened from now on, in bytes (0: the system's, which grows
     * up to its {@code tcp_wmem} maximum); returns this.
     */
    public ReceiverPipeline sendBuffer(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("property " + prefix + ".send-buffer=" + bytes
                    + " is not valid: 0 (the system's) or a size up to 2 GiB");
        }
        this.sendBuffer = (int) bytes;
        return this;
    }

    /** What the aggregator behind the gate must hold: the larger of the two limits. */
    public static int aggregatorLimit(long maxJsonBody, long maxUploadBody) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(maxJsonBody, maxUploadBody));
    }
}
