package io.caravan;

import java.nio.file.FileSystemException;
import java.util.Locale;
import java.util.Optional;

/**
 * A failure of the machine's storage, not of the data: no space or quota left (507), or an I/O
 * error, a read-only or vanished file system, no file descriptor left (503). Passing by nature: the same request succeeds
 * once the cause is gone, so it is never reported as damaged data and never ends a transfer.
 */
public abstract class StorageException extends CaravanException {

    protected StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The storage failure behind {@code failure} (itself, or an I/O error anywhere in its causes
     * whose system message says no space, quota, I/O error, read-only file system, stale handle or no file
     * descriptor left),
     * if it is one.
     */
    public static Optional<StorageException> of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StorageException storage) {
                return Optional.of(storage);
            }
            String reason = reason(t);
            if (reason.contains("no space left on device") || reason.contains("disk quota exceeded")) {
                return Optional.of(new InsufficientStorageException("the receiver's disk is full (" + t.getMessage()
                        + "); nothing was kept of this request, retry later", t));
            }
            if (reason.contains("too many open files")) {
                return Optional.of(new DescriptorsExhaustedException("the receiver has no file descriptor left"
                        + " (too many open files); nothing was kept of this request, retry later", t));
            }
            if (reason.contains("input/output error") || reason.contains("read-only file system")
                    || reason.contains("stale file handle") || reason.contains("no such device")) {
                return Optional.of(new StorageUnavailableException("the receiver's storage failed (" + t.getMessage()
                        + "); retry later", t));
            }
        }
        return Optional.empty();
    }

    private static String reason(Throwable t) {
        String reason = t instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : t.getMessage();
        return reason == null ? "" : reason.toLowerCase(Locale.ROOT);
    }
}
