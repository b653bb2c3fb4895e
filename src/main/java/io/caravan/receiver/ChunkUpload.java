package io.caravan.receiver;

import io.caravan.session.ChunkBody;
import java.time.Instant;

/**
 * One chunk for {@code PUT /upload/{sid}/{idx}}: its session, index and body, the SHA-256 the
 * sender announced (null when it named none; otherwise 64 hex digits, checked by the API layer), and
 * when its request head came (null: now): a chunk that started while its session was open is taken even
 * if the session expired while its body was on the wire.
 */
public record ChunkUpload(String sessionId, int index, ChunkBody body, String sha256, Instant headAt) {

    /** A chunk whose request head came now. */
    public ChunkUpload(String sessionId, int index, ChunkBody body, String sha256) {
        this(sessionId, index, body, sha256, null);
    }
}
