package io.caravan;

/** No room to store or extract: the disk is full or below the receiver's free-space floor. Answered 507; retry later. */
public class InsufficientStorageException extends StorageException {

    public InsufficientStorageException(String message) {
        super(message, null);
    }

    public InsufficientStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int httpStatus() {
        return 507;
    }

    @Override
    public String code() {
        return "insufficient_storage";
    }
}
