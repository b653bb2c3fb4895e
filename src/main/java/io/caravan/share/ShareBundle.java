package io.caravan.share;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.caravan.fs.NameRules;
import io.caravan.session.RequestRejectedException;
import io.caravan.sync.SyncEntry;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Several of a share's files in one exchange ({@code POST /shares/{name}/files}), so that a follower
 * fetching thousands of small files makes a few requests instead of one each.
 * <p>
 * The request is {@code {"paths":["a.txt","docs/b.txt",...]}}, at most {@link #MAX_PATHS} paths, and
 * nothing else (another field, or {@code paths} twice, is refused). The
 * answer ({@value #CONTENT_TYPE}) holds, for each path in the order asked, an 8-byte big-endian length
 * and that many bytes of the file's content; or the length {@code -1} when the path cannot be served
 * (missing, not a regular file, a link, a name the rules refuse), which the follower then fetches on
 * its own ({@code GET /shares/{name}/files?path=}), where the reason shows. The answer names no path:
 * the follower takes each content for the path it asked for at that place, so nothing a server sends
 * can name a place in the follower's folder. A file that shrinks while it is served ends the answer
 * early, inside its content, and the follower fetches what it did not get on its own.
 */
final class ShareBundle {

    /** The most paths one request may ask for. */
    static final int MAX_PATHS = 1000;
    /** The answer's media type. */
    static final String CONTENT_TYPE = "application/vnd.caravan.files";
    /** The largest file served with others: larger ones take a (ranged) request each, and get -1 here. */
    static final long MAX_FILE = 1 << 20;
    /** The most bytes of content one answer serves: the paths after that get -1 (a follower asks at most 16 MiB). */
    static final long MAX_ANSWER = 64L << 20;
    /** The length sent for a path that is not served. */
    static final long NOT_SERVED = -1;

    private static final JsonFactory JSON = new JsonFactory();
    private static final String SHAPE = "send {\"paths\":[\"<path in the share>\", ...]}, at most " + MAX_PATHS + " paths";

    private ShareBundle() {
    }

    /** The paths a request's JSON body asks for: 400 for another shape, 413 for more than {@link #MAX_PATHS}. */
    static List<String> paths(byte[] body) {
        if (body == null || body.length == 0) {
            throw RequestRejectedException.badRequest("the body is empty: " + SHAPE);
        }
        List<String> paths = new ArrayList<>();
        boolean seen = false;
        try (JsonParser parser = JSON.createParser(body)) {
            expect(parser.nextToken() == JsonToken.START_OBJECT);
            JsonToken token = parser.nextToken();
            for (; token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                if (!"paths".equals(parser.currentName())) {
                    throw RequestRejectedException.badRequest(NameRules.printable(parser.currentName())
                            + " is not a field of this request: " + SHAPE);
                }
                JsonToken value = parser.nextToken();
                expect(value == JsonToken.START_ARRAY && !seen);
                seen = true;
                for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser.nextToken()) {
                    expect(item == JsonToken.VALUE_STRING);
                    if (paths.size() == MAX_PATHS) {
                        throw new RequestRejectedException(413, "too_many_values", "one request asks for at most " + MAX_PATHS
                                + " files; nothing was served: ask for the others in further requests");
                    }
                    paths.add(parser.getText());
                }
            }
            // one object holding one list, and nothing after it
            expect(token == JsonToken.END_OBJECT && seen && parser.nextToken() == null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw RequestRejectedException.badRequest("the body is not valid JSON" + (at == null ? ""
                    : " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + ": " + SHAPE);
        } catch (IOException e) {
            throw RequestRejectedException.badRequest("the body is not valid JSON: " + SHAPE);
        }
        return paths;
    }

    private static void expect(boolean shape) {
        if (!shape) {
            throw RequestRejectedException.badRequest("the body is not of the shape this request takes: " + SHAPE);
        }
    }

    /** Takes one file's content out of an answer. */
    @FunctionalInterface
    interface Delivery {
        void deliver(SyncEntry entry, byte[] content);
    }

    /**
     * Reads an answer for {@code asked} (in the order asked), handing each file's whole content to
     * {@code delivery}; a file not served, or shorter than it was listed, is skipped (fetched alone,
     * where its failure is told). Each content is at most the size the entry was listed with: a longer one, or an answer cut short, ends the reading with an {@link IOException}
     * (what was delivered before stays delivered). So at most one listed size is held at a time.
     */
    static void read(InputStream answer, List<SyncEntry> asked, Delivery delivery) throws IOException {
        DataInputStream in = new DataInputStream(answer);
        for (SyncEntry entry : asked) {
            long length = in.readLong();
            if (length == NOT_SERVED) {
                continue;
            }
            if (length < 0 || length > entry.size() || length > MAX_FILE) {
                throw new IOException("the server sent " + length + " bytes for a file it listed with " + entry.size()
                        + ": the rest is fetched file by file");
            }
            byte[] content = in.readNBytes((int) length);
            if (content.length < length) {
                throw new EOFException("the answer ended inside a file's content");
            }
            if (length == entry.size()) { // a shorter one is fetched alone, where its failure is told
                delivery.deliver(entry, content);
            }
        }
    }
}
