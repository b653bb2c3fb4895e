package io.caravan.sender;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.util.CappedInputStream;
import io.caravan.util.PeerText;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a receiver's answer no further than it can legitimately be: past {@code limit} bytes (a
 * {@link CappedInputStream}), or when it is not one JSON value, it is refused with an
 * {@link UnreadableAnswerException} that quotes at most {@link #EXCERPT_CHARS} characters of its
 * beginning, control characters escaped. This stream, below the cap, keeps that beginning as it is read:
 * nothing is held but the parsed value and the beginning, whatever the peer sends (a body without end
 * included).
 */
final class BoundedAnswer extends FilterInputStream {

    /** The most characters of an answer quoted in a message. */
    static final int EXCERPT_CHARS = PeerText.EXCERPT_CHARS;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long limit;
    private final String what;
    private final byte[] head = new byte[EXCERPT_CHARS * 4];
    private int held;

    private BoundedAnswer(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    /** The answer {@code in} to the request {@code what} (e.g. "POST http://host/start") as one JSON value of at most {@code limit} bytes. */
    static JsonNode json(InputStream in, long limit, String what) throws IOException {
        BoundedAnswer answer = new BoundedAnswer(in == null ? InputStream.nullInputStream() : in, limit, what);
        try (JsonParser parser = JSON.getFactory().createParser(answer.capped())) {
            JsonNode value = JSON.readTree(parser);
            if (value == null || value.isMissingNode() || parser.nextToken() != null) {
                throw answer.notJson();
            }
            return value;
        } catch (JsonProcessingException e) {
            throw answer.notJson();
        }
    }

    /** Reads the answer {@code in} to its end, refusing it past {@code limit} bytes; its content is not looked at. */
    static void discard(InputStream in, long limit, String what) throws IOException {
        if (in != null) {
            new BoundedAnswer(in, limit, what).capped().transferTo(OutputStream.nullOutputStream());
        }
    }

    /** {@code text} as {@link PeerText#excerpt} gives it: safe for a message or a log line. */
    static String excerpt(String text) {
        return PeerText.excerpt(text);
    }

    /** This answer read through the cap of {@code limit} bytes, past which it is refused as too long. */
    private InputStream capped() {
        return new CappedInputStream(this, limit, this::tooLarge);
    }

    private String begins() {
        return excerpt(new String(head, 0, held, StandardCharsets.UTF_8));
    }

    private UnreadableAnswerException notJson() {
        String begins = begins();
        return new UnreadableAnswerException(what + ": the answer is not JSON, so it is not a Caravan receiver's"
                + " (a proxy or another server at this address?); it " + (begins.isEmpty() ? "is empty" : "begins: " + begins));
    }

    private UnreadableAnswerException tooLarge() {
        return new UnreadableAnswerException(what + ": the answer is longer than the " + limit + " bytes a Caravan"
                + " receiver's answer to it can be (a proxy or another server at this address?); it begins: " + begins());
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0 && held < head.length) {
            head[held++] = (byte) b;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0 && held < head.length) {
            int kept = Math.min(n, head.length - held);
            System.arraycopy(b, off, head, held, kept);
            held += kept;
        }
        return n;
    }
}
