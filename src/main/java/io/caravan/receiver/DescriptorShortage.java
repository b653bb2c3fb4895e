package io.caravan.receiver;

import io.caravan.util.FileDescriptors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the receiver says about its file descriptors: a warning at the start when {@code max-sessions}
 * cannot fit in the process's limit ({@code ulimit -n}), and one warning, the first time a request finds
 * none left (answered 503 {@code too_many_open_files}), with what to do. Each session being uploaded to
 * costs {@link #PER_SESSION} descriptors; the session store holds a bounded number more for its folders.
 */
public final class DescriptorShortage {

    private static final Logger LOG = LoggerFactory.getLogger(DescriptorShortage.class);

    /** A session being uploaded to: its sender's connection and the chunk file being written. */
    public static final int PER_SESSION = 2;

    private final AtomicBoolean reported = new AtomicBoolean();

    /**
     * Warns when {@code maxSessions} sessions uploading at once, with the {@code storeFolders} descriptors the
     * session store may hold and those open now, need more than the process may open; returns whether it did.
     */
    public static boolean checkAtStart(int maxSessions, int storeFolders, FileDescriptors now) {
        if (!now.known() || now.open() < 0) {
            return false;
        }
        long sessions = (long) maxSessions * PER_SESSION;
        long needed = now.open() + storeFolders + sessions;
        if (needed <= now.max()) {
            return false;
        }
        long fitting = Math.max(0, (now.max() - now.open() - storeFolders) / PER_SESSION);
        LOG.warn("caravan.receiver.max-sessions={} sessions uploading at once may need {} file descriptors ({} each: its"
                + " connection and the chunk being written), besides {} open at the start and up to {} for session"
                + " folders: {} in all, more than the {} this process may open (ulimit -n). Raise the limit to at least {}"
                + " (ulimit -n, or LimitNOFILE= for a systemd service) or lower caravan.receiver.max-sessions to {};"
                + " until then a request that finds no descriptor left is answered 503 too_many_open_files",
                maxSessions, sessions, PER_SESSION, now.open(), storeFolders, needed, now.max(), needed, fitting);
        return true;
    }

    /** A request found no descriptor left: says what to do, the first time only. */
    public void ranOut() {
        if (reported.compareAndSet(false, true)) {
            FileDescriptors now = FileDescriptors.now();
            LOG.warn("the receiver ran out of file descriptors (the limit is {}): requests that need one are answered"
                    + " 503 too_many_open_files until some are free, and /health says DOWN. Raise the limit (ulimit -n,"
                    + " or LimitNOFILE= for a systemd service) or lower caravan.receiver.max-sessions; this is logged once",
                    now.known() ? String.valueOf(now.max()) : "unknown");
        }
    }
}
