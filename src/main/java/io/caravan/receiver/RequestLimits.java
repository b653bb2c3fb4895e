package io.caravan.receiver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.caravan.session.RequestRejectedException;
import java.io.IOException;

/**
 * Bounds on what one request may ask of the receiver, checked before any work: the size of a JSON
 * body ({@code caravan.receiver.max-json-body}; the default takes the manifest of a 1 TiB parcel at
 * the default chunk size, about 19 MB), the values in it (as many as its endpoint can need) and the renames plus deletions of one {@code /mirror/changes}
 * ({@code caravan.receiver.max-mirror-changes}; senders send at most {@link #MIRROR_CHANGES_PER_REQUEST}).
 */
public record RequestLimits(long maxJsonBody, int maxMirrorChanges) {

    /** What a Caravan sender puts in one {@code /mirror/changes} request at most; the receiver's limit is never below it. */
    public static final int MIRROR_CHANGES_PER_REQUEST = 1000;

    /** The values (numbers, strings, booleans, nulls, objects, arrays) a {@code POST /start} body may hold: its options, with room to spare. */
    static final long START_VALUES = 256;
    /** The hashes one batch {@code POST /check} may ask about (a Caravan sender asks about 1000 at a time). */
    static final long CHECK_HASHES = 100_000;
    /** Bytes per value of a manifest at least: a chunk's entry ({@code {"index":..,"sha256":"<64>","size":..}}, 4 values) takes over 80. */
    private static final long MANIFEST_BYTES_PER_VALUE = 16;
    /** Values one rename or deletion of {@code /mirror/changes} may take ({@code {"from","to","sha256"}} is 4). */
    private static final long VALUES_PER_MIRROR_CHANGE = 8;

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

    /** The values a {@code POST /finish} manifest may hold: enough for any manifest that fits in {@code max-json-body}. */
    long finishValues() {
        return Math.max(START_VALUES, maxJsonBody / MANIFEST_BYTES_PER_VALUE);
    }

    /** The values a {@code POST /mirror/changes} body may hold: enough for {@code max-mirror-changes} renames. */
    long mirrorChangeValues() {
        return VALUES_PER_MIRROR_CHANGE * maxMirrorChanges + START_VALUES;
    }

    /**
     * 413 {@code too_many_values} when a JSON body holds more than {@code max} values, so that no body of
     * tiny values ({@code [{},{},...]}) becomes millions of objects once parsed: counted by streaming
     * through the body, without building anything, and stopped at the first value over the limit (a
     * malformed body is left to the parser).
     */
    static void checkJsonValues(String body, long max, String endpoint) {
        if (body == null || body.isBlank()) {
            return;
        }
        long count = 0;
        try (JsonParser parser = JSON.createParser(body)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if ((token.isScalarValue() || token.isStructStart()) && ++count > max) {
                    throw new RequestRejectedException(413, "too_many_values", "the body of " + endpoint
                            + " holds more than " + max + " JSON values, more than such a request can need;"
                            + " nothing was done: send what the request asks for, in several requests if it is a list");
                }
            }
        } catch (IOException e) {
            // malformed: the parser that reads the request names the problem
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
