package io.caravan.receiver;

import io.caravan.session.ChunkBody;

/**
 * One chunk for {@code PUT /upload/{sid}/{idx}}: its session, index and body, and the SHA-256 the
 * sender announced (null when it named none; otherwise 64 hex digits, checked by the API layer).
 */
public record ChunkUpload(String sessionId, int index, ChunkBody body, String sha256) {
}
