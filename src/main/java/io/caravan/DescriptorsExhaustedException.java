package io.caravan;

/**
 * The process has no file descriptor left ({@code EMFILE}, "Too many open files"): nothing is wrong with
 * the request or the data, and the same request succeeds once descriptors are free again. Answered 503
 * like the storage failing, under a code of its own; retry later.
 */
public class DescriptorsExhaustedException extends StorageUnavailableException {

    public DescriptorsExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return "too_many_open_files";
    }
}
