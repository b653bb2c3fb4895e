package io.caravan.receiver;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The answer to {@code POST /start}: the new session, when it expires, and the chunk sizes it takes. */
@JsonPropertyOrder({"session_id", "expires_at", "chunk_size", "max_chunk_size"})
public record SessionStarted(@JsonProperty("session_id") String sessionId, @JsonProperty("expires_at") String expiresAt,
                             @JsonProperty("chunk_size") long chunkSize, @JsonProperty("max_chunk_size") long maxChunkSize) {
}
