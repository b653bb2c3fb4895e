package io.caravan.pack;

/**
 * Who waited for whom at the far end of a packed stream, the chunk uploads: time the packed chunks
 * waited for the link (every upload slot busy, or the upload running in the shipping thread) and
 * time the link waited for packed chunks. Between compressor and link lie buffers (the hand-off
 * queue, queued chunks), so these waits show a slow link long before the compressor's own writes
 * stall. Marked by the shipping thread, read by the compressor; a wait still going on counts up to
 * the moment it is read (once an upload has ended). Time a receiver spent on a chunk after its bytes arrived
 * ({@link #answeredAfterWork}) is not the link's: a chunk waiting for a slot over it is not counted as
 * waiting for the link. The answers also say how long each body took from its head to its last byte at
 * the receiver ({@link #bodyArrived}): bytes over the time any body was on the wire is the rate the wire
 * brought them at, which tells a slow link (bodies take long to arrive) from a receiver slow to answer
 * bodies that arrived at once (one short of CPU, on loopback or a fast LAN).
 */
public final class LinkWaits {

    /** What the shipping thread is doing. */
    public enum Wait {
        /** It holds a chunk and waits for the link to take it. */
        LINK,
        /** It waits for the packer's next chunk. */
        PACKER,
        /** Neither (not shipping, or between waits). */
        NONE
    }

    /**
     * Waits measured over one stretch, in nanoseconds, the request body bytes answered in it over the time
     * any of those bodies was on the wire ({@code wireNanos}), and how long the stretch was.
     */
    public record Stretch(long linkNanos, long packerNanos, long wireBytes, long wireNanos, long elapsedNanos) {
        /** Waits alone, no body noted. */
        public Stretch(long linkNanos, long packerNanos) {
            this(linkNanos, packerNanos, 0, 0, 0);
        }

        /** Whether anything was measured. */
        public boolean measured() {
            return linkNanos + packerNanos > 0;
        }
    }

    /** The longest body or work time an answer is believed to give: an hour, longer than any request may take. */
    private static final long BELIEVABLE = java.util.concurrent.TimeUnit.HOURS.toNanos(1);

    /** Measures nothing: for packing with no link behind it (a file, a comparison). */
    public static final LinkWaits NONE = new LinkWaits(false);

    private final boolean measuring;
    private volatile boolean noted;
    private Wait state = Wait.NONE;
    private long since;
    /** When the current wait began. */
    private long waitStarted;
    /** The receiver's work at the end of the current wait for the link, not counted as the link's. */
    private long receiverWork;
    /** The receiver's work on the chunk of the last answer that gave it. */
    private long expectedWork;
    /** Whether any upload has ended: before, how much of a wait is the receiver's work is not known. */
    private boolean answered;
    /** When an answer came during the current wait for the link (0: none yet): what follows it until the wait ends is local. */
    private long answeredAt;
    /** What the current wait for the link has counted so far. */
    private long counted;
    private long link;
    private long packer;
    /** The bodies on the wire at overlapping times, not yet counted ({@link #bodyArrived}); none: runEnd MIN_VALUE. */
    private long runStart;
    private long runEnd = Long.MIN_VALUE;
    /** Up to when the wire's time was counted. */
    private long countedUntil = Long.MIN_VALUE;
    private long wireBytes;
    private long wireNanos;
    /** When the last stretch was taken (MIN_VALUE: none yet). */
    private long tookAt = Long.MIN_VALUE;

    public LinkWaits() {
        this(true);
    }

    private LinkWaits(boolean measuring) {
        this.measuring = measuring;
    }

    /**
     * Whether a shipping notes its waits here: once it has marked anything (never for {@link #NONE},
     * nor for chunks shipped some other way, such as a Camel route's splitter).
     */
    public boolean measuring() {
        return noted;
    }

    /** The shipping thread starts {@code wait} (or, with {@link Wait#NONE}, ends the one it was in). */
    public synchronized void now(Wait wait) {
        if (!measuring) {
            return;
        }
        long now = System.nanoTime();
        settle(now, true);
        state = wait;
        waitStarted = now;
        counted = 0;
        receiverWork = 0;
        answeredAt = 0;
        noted = true;
    }

    /**
     * An upload ends whose receiver worked {@code nanos} on the chunk after its bytes had arrived (its
     * own answer says so), ending just now. A chunk waiting for an upload slot over that time waited
     * for the receiver, not the link: the part of the current wait for the link that overlaps that
     * work is not counted. Called by the upload before it frees its slot, so the wait it ends is still
     * the current one. The next waits for the link hold back as much until their own answer tells.
     * What follows the answer until the wait ends (the uploader handing its slot over, threads waiting
     * for a core) is not the link's either. {@code nanos} is 0 when the answer gives no work.
     */
    public synchronized void answeredAfterWork(long nanos) {
        if (!measuring) {
            return;
        }
        long now = System.nanoTime();
        answered = true;
        if (state == Wait.LINK) {
            answeredAt = now;
        }
        if (nanos <= 0) {
            return;
        }
        expectedWork = nanos;
        if (state == Wait.LINK) {
            receiverWork = Math.max(receiverWork, Math.min(nanos, now - waitStarted));
        }
    }

    /**
     * An upload's answer, come just now, says its body of {@code bytes} took {@code bodyNanos} from its head to
     * its last byte at the receiver, and the receiver worked {@code workNanos} after that: the wire was busy
     * with it over that stretch of time, placed back from now. Overlapping stretches of parallel uploads count
     * once; a body not timed ({@code bodyNanos} 0: a receiver that does not say) counts nothing.
     */
    public synchronized void bodyArrived(long bytes, long bodyNanos, long workNanos) {
        if (!measuring || bodyNanos <= 0 || bytes <= 0 || bodyNanos > BELIEVABLE || workNanos > BELIEVABLE) {
            return; // times past any request's: not a receiver's own measure
        }
        long end = System.nanoTime() - Math.max(0, workNanos);
        long start = Math.max(end - bodyNanos, countedUntil);
        wireBytes += bytes;
        if (end <= start) {
            return;
        }
        if (runEnd == Long.MIN_VALUE || start > runEnd) {
            closeRun();
            runStart = start;
            runEnd = end;
        } else {
            runStart = Math.min(runStart, start);
            runEnd = Math.max(runEnd, end);
        }
    }

    /** Counts the run of overlapping bodies so far as the wire's time. */
    private void closeRun() {
        if (runEnd != Long.MIN_VALUE) {
            wireNanos += runEnd - runStart;
            countedUntil = Math.max(countedUntil, runEnd);
            runEnd = Long.MIN_VALUE;
        }
    }

    /** The waits since the last call (or since the first mark), and starts a new stretch. */
    public synchronized Stretch take() {
        settle(System.nanoTime(), false);
        closeRun();
        long now = System.nanoTime();
        Stretch stretch = new Stretch(link, packer, wireBytes, wireNanos, tookAt == Long.MIN_VALUE ? 0 : now - tookAt);
        tookAt = now;
        link = 0;
        packer = 0;
        wireBytes = 0;
        wireNanos = 0;
        return stretch;
    }

    /**
     * Counts the current wait up to {@code now}, or up to the answer that came during it. A wait for the
     * link that goes on counts only past the receiver's work of the last answer (what the receiver may
     * still be doing), and not before the first answer (the first uploads' share of the receiver's work
     * is not known yet); one that ends, only past the work its own answer gave.
     */
    private void settle(long now, boolean ending) {
        if (state == Wait.LINK && (ending || answered)) {
            long held = ending ? receiverWork : Math.max(receiverWork, expectedWork);
            long due = Math.max(0, (answeredAt > 0 ? answeredAt : now) - waitStarted - held);
            if (due > counted) {
                link += due - counted;
                counted = due;
            }
        } else if (state == Wait.PACKER) {
            packer += now - since;
        }
        since = now;
    }
}
