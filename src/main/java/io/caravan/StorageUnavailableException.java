package io.caravan;

/** The storage failed (an I/O error, a read-only or vanished file system). Answered 503; retry later. */
public class StorageUnavailableException extends StorageException {

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int httpStatus() {
        return 503;
    }

    @Override
    public String code() {
        return "storage_unavailable";
    }
}
