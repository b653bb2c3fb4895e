package io.caravan.receiver;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Map;

/** The answer to {@code GET /status/{sid}}: a session still open, or one already published. */
public sealed interface SessionStatus {

    /** An open session: the chunks it holds (index to SHA-256), their bytes, and when it expires. */
    @JsonPropertyOrder({"session_id", "kind", "finished", "received", "chunks", "bytes", "expires_at"})
    record Open(@JsonProperty("session_id") String sessionId, String kind, List<Integer> received,
                Map<String, String> chunks, long bytes, @JsonProperty("expires_at") String expiresAt) implements SessionStatus {

        @JsonProperty("finished")
        public boolean finished() {
            return false;
        }
    }

    /** A published session (until the cleanup removes its result): what its finish answered. */
    @JsonPropertyOrder({"session_id", "finished"})
    record Finished(@JsonProperty("session_id") String sessionId, @JsonUnwrapped Published result) implements SessionStatus {

        @JsonProperty("finished")
        public boolean finished() {
            return true;
        }
    }
}
