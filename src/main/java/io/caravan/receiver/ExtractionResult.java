package io.caravan.receiver;

import io.caravan.CaravanException;
import io.caravan.StorageException;
import io.caravan.session.RequestRejectedException;
import io.caravan.unpack.DamagedStreamException;
import io.caravan.unpack.ExtractLimitException;
import io.caravan.unpack.UnsafeEntryException;
import java.io.IOException;

/**
 * How the current extraction of a session ended, if it did: an outcome, or a failure that is either
 * passing (the storage: the extraction starts again), a refusal (an entry or limit the receiver
 * refuses: final until a chunk it read is replaced), or else. Not thread-safe: its
 * {@link ArchiveAssembler} guards it with its monitor.
 */
final class ExtractionResult {

    private Throwable failure;
    private ArchiveAssembler.Outcome outcome;
    /** The chunk the extraction was reading when it failed (chunks after it cannot change a refusal). */
    private int failedAt;

    void reset() {
        failure = null;
        outcome = null;
    }

    void succeeded(ArchiveAssembler.Outcome result) {
        outcome = result;
    }

    /** {@code at}: the chunk the extraction was reading. */
    void failed(Throwable t, int at) {
        failure = t;
        failedAt = at;
    }

    /** Whether it failed on the storage, which may work again. */
    boolean passing() {
        return failure instanceof StorageException;
    }

    /**
     * Whether it ended because it started again from chunk 0 while a finish waited, dropping the chunks it had
     * extracted from their bodies ({@link ChunkCompleteness#dropped}): the sender sends them again for the same
     * manifest.
     */
    boolean droppedCovered() {
        return failure instanceof RequestRejectedException r && "incomplete".equals(r.code());
    }

    /** Whether it ended with a refusal (an entry it will not extract, a limit). */
    boolean refused() {
        return failure instanceof UnsafeEntryException || failure instanceof ExtractLimitException;
    }

    /**
     * Throws the refusal as the answer to a chunk upload: {@code index} is the chunk being uploaded, or
     * -1 once it was stored. A chunk at or before the one the extraction failed on may replace a chunk
     * it read and so start it again: such a chunk is stored first.
     */
    void throwIfRefused(int index) {
        if (!refused() || index >= 0 && index <= failedAt) {
            return;
        }
        if (failure instanceof UnsafeEntryException unsafe) {
            throw new RefusedEntryException(unsafe);
        }
        throw (CaravanException) failure;
    }

    /** Throws the refusal as it is, for a finish (whatever chunks are missing). */
    void throwRefusal() {
        if (refused()) {
            throw (CaravanException) failure;
        }
    }

    /** The outcome of a finished extraction, or its failure thrown; an extraction restarted meanwhile asks for a new finish. */
    ArchiveAssembler.Outcome outcomeOrThrow(String sessionId) throws IOException {
        if (failure instanceof DamagedStreamException e) {
            throw e.inSession(sessionId);
        }
        if (failure instanceof CaravanException e) {
            throw e;
        }
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure != null) {
            // unforeseen (not the data's, not the disk's): answered 500 with a reference, its text only in the log
            throw new IllegalStateException("extraction of session " + sessionId + " failed", failure);
        }
        if (outcome == null) {
            throw new CaravanException("extraction of session " + sessionId + " was restarted; finish again");
        }
        return outcome;
    }
}
