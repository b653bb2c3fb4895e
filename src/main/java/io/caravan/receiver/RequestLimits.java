package io.caravan.receiver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.caravan.session.RequestRejectedException;
import java.io.IOException;

/**
 * Bounds on what one request may ask of the receiver, checked before any work: the size of a JSON
 * body ({@code caravan.receiver.max-json-body}; the default takes the manifest of a 1 TiB parcel at
 * the default chunk size, about 19 MB) and the renames plus deletions of one {@code /mirror/changes}
 * ({@code caravan.receiver.max-mirror-changes}; senders send at most {@link #MIRROR_CHANGES_PER_REQUEST}).
 */
public record RequestLimits(long maxJsonBody, int maxMirrorChanges) {

    /** What a Caravan sender puts in one {@code /mirror/changes} request at most; the receiver's limit is never below it. */
    public static final int MIRROR_CHANGES_PER_REQUEST = 1000;

    private static final JsonFactory JSON = new JsonFactory();

    public RequestLimits {
        if (maxMirrorChanges < MIRROR_CHANGES_PER_REQUEST) {
            throw new IllegalArgumentException("caravan.receiver.max-mirror-changes is " + maxMirrorChanges
                    + "; it must be at least " + MIRROR_CHANGES_PER_REQUEST + " (what a sender puts in one request)");
        }
    }

    /** 413 when a JSON body is larger than the limit. */
    void checkJsonBody(long length) {
        if (length > maxJsonBody) {
            throw new RequestRejectedException(413, "body_too_large", "the request body is " + length
                    + " bytes, larger than this receiver accepts (" + maxJsonBody + " bytes: caravan.receiver.max-json-body)");
        }
    }

    /**
     * 413 when a {@code /mirror/changes} body asks for more renames and deletions than the limit;
     * counted by streaming through the body, without building it (a malformed body is left to the parser).
     */
    void checkMirrorChanges(String body) {
        long count = mirrorChanges(body);
        if (count > maxMirrorChanges) {
            throw new RequestRejectedException(413, "too_many_changes", "the request asks for " + count
                    + " renames and deletions; this receiver takes at most " + maxMirrorChanges
                    + " per request (caravan.receiver.max-mirror-changes): send them in several requests; nothing was changed");
        }
    }

    private static long mirrorChanges(String body) {
        if (body == null || body.isBlank()) {
            return 0;
        }
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            long count = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ((field.equals("rename") || field.equals("delete")) && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        count++;
                        parser.skipChildren();
                    }
                } else {
                    parser.skipChildren();
                }
            }
            return count;
        } catch (IOException e) {
            return 0;
        }
    }
}
