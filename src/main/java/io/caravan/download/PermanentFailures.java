package io.caravan.download;

import io.caravan.pack.ManifestException;
import io.caravan.sender.ShipException;
import io.caravan.unpack.ChunkVerificationException;
import io.caravan.unpack.ExtractLimitException;
import io.caravan.unpack.UnsafeEntryException;

/**
 * Tells a download's failure that a rerun would meet again from one that may pass. Permanent: an
 * answer the server would give again ({@link ShipException#retryable()} false, except 412, a parcel
 * published again, which a rerun follows), and what the client refuses in the parcel itself (a chunk
 * that does not match its SHA-256, a name that escapes, a bomb, a manifest that is not valid). Anything
 * else (the network, a 5xx, the local disk, a stop) may pass, and a rerun continues from what was fetched.
 */
final class PermanentFailures {

    private PermanentFailures() {
    }

    /** Whether the first failure in {@code e}'s causes that says why the download ended is permanent. */
    static boolean permanent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShipException ship) {
                return !ship.retryable() && ship.status() != 412;
            }
            if (t instanceof ChunkVerificationException || t instanceof UnsafeEntryException
                    || t instanceof ExtractLimitException || t instanceof ManifestException) {
                return true;
            }
        }
        return false;
    }

    /** Whether the receiver refused the token: a rerun with the right one may use what was fetched before. */
    static boolean refusedToken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShipException ship) {
                return ship.status() == 401 || ship.status() == 403;
            }
        }
        return false;
    }
}
