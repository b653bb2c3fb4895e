package io.caravan.receiver;

import io.caravan.pack.ChunkInfo;
import io.caravan.session.RequestRejectedException;
import io.caravan.session.Session;
import io.caravan.session.StoredChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a session holds every chunk it is to be published from, each of the size and SHA-256
 * expected; if not, a 409 {@code incomplete} refusal lists what is missing or mismatched, and
 * nothing is published. The work is bounded by the chunks stored and listed, whatever the indices.
 */
final class ChunkCompleteness {

    private ChunkCompleteness() {
    }

    /** Raw sessions without a manifest: chunks 0..max must all be there; these are the chunks to publish. */
    static List<ChunkInfo> contiguous(Session session) {
        if (session.chunks().isEmpty()) {
            ChunkGaps gaps = new ChunkGaps();
            gaps.missing(0);
            throw incomplete("no chunks were uploaded", gaps.details());
        }
        int last = session.chunks().lastKey();
        long absent = (long) last + 1 - session.chunks().size();
        if (absent > 0) {
            ChunkGaps gaps = new ChunkGaps();
            // each step finds a stored chunk or lists a gap: at most stored + LISTED steps, whatever the indices
            for (int i = 0; i <= last && !gaps.listFull(); i++) {
                if (session.chunk(i) == null) {
                    gaps.missing(i);
                }
            }
            gaps.missingUnlisted(absent - gaps.missingCount());
            throw incomplete(absent + " chunks are missing" + gaps.listedNote(), gaps.details());
        }
        List<ChunkInfo> chunks = new ArrayList<>();
        session.chunks().forEach((i, c) -> chunks.add(new ChunkInfo(i, c.size(), c.sha256())));
        return chunks;
    }

    /** Every chunk of {@code expected} is stored, with its size and SHA-256. */
    static void check(Session session, List<ChunkInfo> expected) {
        ChunkGaps gaps = new ChunkGaps();
        for (ChunkInfo chunk : expected) {
            StoredChunk stored = session.chunk(chunk.index());
            if (stored == null) {
                gaps.missing(chunk.index());
            } else if (!stored.sha256().equalsIgnoreCase(chunk.checksum()) || stored.size() != chunk.size()) {
                gaps.mismatched(chunk.index());
            }
        }
        if (gaps.any()) {
            throw incomplete(gaps.missingCount() + " chunks missing and " + gaps.mismatchedCount() + " not matching the manifest"
                    + gaps.listedNote() + "; upload them and finish again", gaps.details());
        }
    }

    /**
     * Refuses as {@link #check} does when a stored chunk does not match {@code expected}: what was
     * extracted from it (or refused in it) says nothing about the parcel the manifest describes.
     */
    static void checkStoredMatch(Session session, List<ChunkInfo> expected) {
        for (ChunkInfo chunk : expected) {
            StoredChunk stored = session.chunk(chunk.index());
            if (stored != null && (!stored.sha256().equalsIgnoreCase(chunk.checksum()) || stored.size() != chunk.size())) {
                check(session, expected);
            }
        }
    }

    /** The chunks are all there, but together they do not have the SHA-256 the manifest names. */
    static RequestRejectedException streamMismatch(String what, String expected, String actual) {
        return incomplete(what + " SHA-256 mismatch (manifest " + expected + ", chunks " + actual + ")",
                Map.of("missing", List.of(), "mismatched", List.of()));
    }

    /**
     * The answer to a finish whose extraction had to start again from chunk 0 (a chunk past the manifest's count
     * was read) and so dropped the chunks {@code dropped} it had extracted from their request bodies: they are
     * missing now, and the sender sends them again.
     */
    /**
     * The chunks {@code dropped}, extracted from their request bodies and never kept, are needed again: the
     * extraction starts again from chunk 0 because {@code why} (null: no reason known).
     */
    static RequestRejectedException dropped(String sessionId, List<Integer> dropped, String why) {
        return incomplete(dropped.size() + " chunks are missing: the extraction of session " + sessionId
                + " starts again from chunk 0" + (why == null ? "" : " (" + why + ")") + ", and the chunks " + dropped
                + " it had extracted from their request bodies were never kept; upload them again and finish again",
                Map.of("missing", dropped, "mismatched", List.of()));
    }

    private static RequestRejectedException incomplete(String message, Map<String, Object> details) {
        return new RequestRejectedException(409, "incomplete", message + "; nothing was published", details);
    }
}
