package io.caravan.receiver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 answer read byte by byte from a raw socket (status line, headers in lower case, a
 * body of {@code Content-Length} bytes), for tests whose client must not hide what the server does
 * (an early answer, a missing {@code 100 Continue}, a closed connection).
 */
public record RawAnswer(String statusLine, Map<String, String> headers, String body) {

    public static RawAnswer read(InputStream in) throws IOException {
        RawAnswer head = readHead(in);
        int length = Integer.parseInt(head.headers().getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new RawAnswer(head.statusLine(), head.headers(), new String(body, StandardCharsets.UTF_8));
    }

    /** The status line and headers alone, as for an answer to {@code HEAD}: the body is left unread and empty here. */
    public static RawAnswer readHead(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("the connection closed without an answer");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new RawAnswer(status, headers, "");
    }

    /** A line without its CRLF, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
