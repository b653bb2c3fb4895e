package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import io.caravan.util.ByteBudget;

/**
 * The heap that the JSON requests the receiver works on may hold together ({@value #SETTING}): the body
 * read as text, its parsed form, and the answer made from it, which for {@code /check} and
 * {@code /mirror/changes} lists every hash or path of the body again. Each request with a body that is
 * not a chunk upload ({@code /start}, {@code /finish}, {@code /check}, {@code /mirror/changes}, a share's
 * bundle, the console's forms, any other) reserves {@link #HEAP_PER_BODY_BYTE} times its body's size
 * from its headers, before any byte of the body is read, and gives it back once the last byte of its
 * answer is written (or the connection closes): see {@link JsonBodyReservation}. A request the budget has
 * no room for now is refused 503 {@code busy}, to be retried; one larger than the whole budget 413
 * {@code body_too_large}, as it would never fit. So however many clients send large JSON bodies at once,
 * what they hold of the heap stays bounded, and the receiver is never ended by an {@link OutOfMemoryError}.
 */
public final class JsonMemory {

    /** The name under which the receiver binds it in the Camel registry. */
    public static final String BEAN = "jsonMemory";
    /** The setting that sizes it. */
    public static final String SETTING = "caravan.receiver.json-memory";
    /**
     * Heap a JSON request holds at most per byte of its body, from its arrival to its answer's last byte.
     * Measured with batch {@code /check}s of 100,000 hashes (6.7 MB), three at once in receivers of shrinking
     * heaps: the body as bytes and as text, its parsed tree, the list of hashes and the answer listing them
     * again as bytes took 3 to 3.9 times the body each (three lived in 87 MiB, not in 69 MiB, beside 9 MiB
     * of the receiver's own); with the answer made as text first it was 4.8 times or more.
     */
    public static final int HEAP_PER_BODY_BYTE = 4;

    private final ByteBudget budget;

    /** A budget of {@code limit} bytes of heap. */
    public JsonMemory(long limit) {
        this.budget = new ByteBudget(SETTING, limit);
    }

    /**
     * The budget unless configured: half of this JVM's heap ({@code -Xmx}; 80 MiB of the launcher's 160 MiB),
     * which takes one manifest of a 1 TiB parcel at 8 MiB chunks (19 MB) and leaves the other half to
     * everything else the receiver holds.
     */
    public static long defaultLimit() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    /** The heap a request with a body of {@code length} bytes reserves. */
    public static long cost(long length) {
        return length * HEAP_PER_BODY_BYTE;
    }

    /**
     * Reserves the heap of a request whose body has {@code length} bytes and returns what was reserved,
     * to be given back by {@link #release}. Refuses it (nothing reserved) with 413 {@code body_too_large}
     * when it is larger than the whole budget, and with 503 {@code busy} when the requests being worked on
     * hold too much of it now.
     */
    public long reserve(long length) {
        long cost = cost(length);
        if (cost > budget.limit()) {
            throw new RequestRejectedException(413, "body_too_large", "the request body is " + length
                    + " bytes; reading and answering it would take " + cost + " bytes of heap (" + HEAP_PER_BODY_BYTE
                    + " times its size), more than all JSON requests may hold together (" + budget.named()
                    + "); nothing was done: send what it asks for in several requests, or give the receiver a larger"
                    + " heap (-Xmx) or more of it (" + SETTING + ")");
        }
        if (!budget.reserve(cost)) {
            throw new RequestRejectedException(503, "busy", "the JSON requests this receiver is working on hold all"
                    + " the heap they may (" + budget.named() + "; this one needs " + cost + " for a body of " + length
                    + " bytes): nothing was done, retry later");
        }
        return cost;
    }

    /** Takes {@code cost} bytes again, as {@link #reserve} returned them before (false, nothing taken: no room). */
    boolean reserveAgain(long cost) {
        return budget.reserve(cost);
    }

    /** Gives back {@code cost} bytes returned by {@link #reserve}. */
    public void release(long cost) {
        budget.release(cost);
    }

    /** Bytes reserved now. */
    public long held() {
        return budget.held();
    }

    public long limit() {
        return budget.limit();
    }
}
