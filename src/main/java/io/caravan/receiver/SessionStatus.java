package io.caravan.receiver;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.caravan.session.Session;
import io.caravan.session.StoredChunk;
import java.io.IOException;
import java.io.OutputStream;
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

    /**
     * An open session of many chunks, in the shape of {@link Open}, written from the session's chunks while it is
     * sent ({@link #write}) instead of made whole on the heap: a session may hold a hundred thousand chunks and more.
     * Chunks stored meanwhile may be in {@code chunks} and not yet in {@code received}, which is listed first.
     */
    record Listed(Session session) implements SessionStatus {

        private static final JsonFactory JSON = new JsonFactory();

        public void write(OutputStream out) throws IOException {
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringField("session_id", session.id().value());
                json.writeStringField("kind", session.meta().kind());
                json.writeBooleanField("finished", false);
                json.writeArrayFieldStart("received");
                for (Integer index : session.chunks().keySet()) {
                    json.writeNumber(index);
                }
                json.writeEndArray();
                json.writeObjectFieldStart("chunks");
                for (StoredChunk chunk : session.chunks().values()) {
                    json.writeStringField(String.valueOf(chunk.index()), chunk.sha256());
                }
                json.writeEndObject();
                json.writeNumberField("bytes", session.bytes());
                json.writeStringField("expires_at", session.meta().expiresAt());
                json.writeEndObject();
            }
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
