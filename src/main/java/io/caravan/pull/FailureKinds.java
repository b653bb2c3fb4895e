package io.caravan.pull;

import io.caravan.pack.ManifestException;
import io.caravan.unpack.ChunkVerificationException;
import io.caravan.unpack.DecoderLimitException;
import io.caravan.unpack.ExpansionLimitException;
import io.caravan.unpack.ManifestBreachException;
import io.caravan.unpack.UnsafeEntryException;

/**
 * Tells why a parcel's fetch failed, for {@link PullPass} to decide whether a later pass tries it again. Refused
 * are the parcel's own faults, which the same state of the parcel (the same etag) brings again: a name or link
 * that escapes, more than its manifest declares, a manifest that is not valid; refused by the limits are a stream asking for more decoder memory than allowed or unpacking beyond
 * the expansion limit, which the same bytes meet again while those settings stay. Damaged is a chunk that does
 * not match its SHA-256: once may be the way, twice the parcel. Anything else (the network, a timeout, a 5xx or
 * other answer of the server, one without its ETag, the local disk and its free space, a stop) may pass.
 */
final class FailureKinds {

    /** What a failure says of the parcel. */
    enum Kind { MAY_PASS, DAMAGED, REFUSED, REFUSED_BY_LIMITS }

    private FailureKinds() {
    }

    /** The kind of the first of {@code failure}'s causes that says why the fetch ended. */
    static Kind of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DecoderLimitException || t instanceof ExpansionLimitException) {
                return Kind.REFUSED_BY_LIMITS;
            }
            if (t instanceof ManifestBreachException || t instanceof UnsafeEntryException || t instanceof ManifestException) {
                return Kind.REFUSED;
            }
            if (t instanceof ChunkVerificationException) {
                return Kind.DAMAGED;
            }
        }
        return Kind.MAY_PASS;
    }
}
