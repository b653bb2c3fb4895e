package io.caravan.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * The {@link SessionLimits} as answers a sender can act on: each check throws the refusal (400, 413,
 * 429, 507) before anything is stored, and passes otherwise.
 */
final class LimitChecks {

    private final SessionLimits limits;
    private final Path storage;
    private final Supplier<? extends Collection<Session>> open;

    /**
     * {@code storage}: a folder on the file system whose free space is checked; {@code open}: the sessions this
     * process lists chunks of, counted against {@link SessionLimits#maxListedChunks}.
     */
    LimitChecks(SessionLimits limits, Path storage, Supplier<? extends Collection<Session>> open) {
        this.limits = limits;
        this.storage = storage;
        this.open = open;
    }

    /** Whether one more session may be opened while {@code open} are. */
    void checkNewSession(long open) throws IOException {
        if (open >= limits.maxOpenSessions()) {
            throw new RequestRejectedException(429, "too_many_sessions", "the receiver already has " + open
                    + " open sessions (the limit): finish or delete some, or wait for them to expire");
        }
        checkFreeSpace(0);
    }

    /** Whether chunk {@code index} of {@code length} bytes may be stored in {@code session}. */
    void checkChunk(Session session, int index, long length) throws IOException {
        if (index < 0 || index > 99_999_999) {
            throw RequestRejectedException.badRequest("chunk index " + index + " is out of range (0 to 99999999)");
        }
        if (length > limits.maxChunkSize()) {
            throw new RequestRejectedException(413, "chunk_too_large", "chunk " + index + " is " + length
                    + " bytes; this receiver accepts at most " + limits.maxChunkSize() + " bytes per chunk");
        }
        StoredChunk existing = session.chunk(index);
        if (length == 0 && (index != 0 || session.chunkCount() > (existing == null ? 0 : 1))) {
            throw new RequestRejectedException(400, "empty_chunk", "chunk " + index + " of session " + session.meta().id()
                    + " is empty: only a session's one and only chunk, index 0 (an empty file), may be empty;"
                    + " nothing was stored: send the chunk's bytes");
        }
        checkChunkCount(session, index);
        long after = session.bytes() - (existing == null ? 0 : existing.size()) + length;
        if (after > limits.maxSessionBytes()) {
            throw new RequestRejectedException(413, "session_too_large", "session " + session.meta().id()
                    + " would hold " + after + " bytes; the limit is " + limits.maxSessionBytes());
        }
        checkFreeSpace(length);
    }

    /**
     * Whether chunk {@code index} may be listed in {@code session}: a chunk it holds may be replaced, a new
     * one only below its most chunks. Checked before the body is written and again, under the session's
     * monitor, before it is listed (uploads of several new chunks at once are not all counted before).
     */
    void checkChunkCount(Session session, int index) {
        if (session.chunk(index) != null) {
            return; // a chunk it holds may be replaced
        }
        long maxChunks = limits.maxChunks(session.meta().chunkSize());
        if (session.chunkCount() >= maxChunks) {
            throw new RequestRejectedException(413, "too_many_chunks", "chunk " + index + " was not stored: session "
                    + session.meta().id() + " already holds " + session.chunkCount() + " chunks, the most it may hold ("
                    + (maxChunks < limits.maxChunksPerSession()
                    ? "caravan.receiver.max-session-bytes " + limits.maxSessionBytes() + " in chunks of its chunk_size "
                    + session.meta().chunkSize() + ", plus one"
                    : "caravan.receiver.max-chunks-per-session")
                    + "); send the parcel in fewer, larger chunks");
        }
        long listed = 0;
        for (Session each : open.get()) {
            listed += each.chunkCount();
        }
        if (listed >= limits.maxListedChunks()) {
            throw new RequestRejectedException(503, "busy", "chunk " + index + " of session " + session.meta().id()
                    + " was not stored: the open sessions list " + listed + " chunks, the most this receiver holds in"
                    + " memory (caravan.receiver.max-listed-chunks " + limits.maxListedChunks() + "); retry once"
                    + " sessions are finished or deleted, and send parcels in fewer, larger chunks");
        }
    }

    private void checkFreeSpace(long needed) throws IOException {
        long usable = Files.getFileStore(storage).getUsableSpace();
        if (usable - needed < limits.minFreeBytes()) {
            throw new RequestRejectedException(507, "insufficient_storage", "the receiver's disk has " + usable
                    + " bytes free, below its floor of " + limits.minFreeBytes() + "; nothing was stored, retry later");
        }
    }
}
