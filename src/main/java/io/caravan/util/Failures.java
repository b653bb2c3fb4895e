package io.caravan.util;

import java.io.IOException;

/** Rethrows a failure caught on another thread, keeping its type where the caller can throw it. */
public final class Failures {

    private Failures() {
    }

    /** Throws {@code failure} as it is (IOException, unchecked exception or error); does nothing for null. */
    public static void rethrow(Throwable failure) throws IOException {
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IOException(failure);
        }
    }
}
