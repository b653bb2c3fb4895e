package io.caravan.pack;

/**
 * Who waited for whom at the far end of a packed stream, the chunk uploads: time the packed chunks
 * waited for the link (every upload slot busy, or the upload running in the shipping thread) and
 * time the link waited for packed chunks. Between compressor and link lie buffers (the hand-off
 * queue, queued chunks), so these waits show a slow link long before the compressor's own writes
 * stall. Marked by the shipping thread, read by the compressor; a wait still going on counts up to
 * the moment it is read.
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

    /** Waits measured over one stretch, in nanoseconds. */
    public record Stretch(long linkNanos, long packerNanos) {
        /** Whether anything was measured. */
        public boolean measured() {
            return linkNanos + packerNanos > 0;
        }
    }

    /** Measures nothing: for packing with no link behind it (a file, a comparison). */
    public static final LinkWaits NONE = new LinkWaits(false);

    private final boolean measuring;
    private volatile boolean noted;
    private Wait state = Wait.NONE;
    private long since;
    private long link;
    private long packer;

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
        settle(now);
        state = wait;
        noted = true;
    }

    /** The waits since the last call (or since the first mark), and starts a new stretch. */
    public synchronized Stretch take() {
        settle(System.nanoTime());
        Stretch stretch = new Stretch(link, packer);
        link = 0;
        packer = 0;
        return stretch;
    }

    private void settle(long now) {
        if (state == Wait.LINK) {
            link += now - since;
        } else if (state == Wait.PACKER) {
            packer += now - since;
        }
        since = now;
    }
}
