package io.caravan.util;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict checking of a request target before anything decodes it: it holds only the characters a URL
 * may hold as they are (RFC 3986's unreserved and reserved ones but {@code #}, {@code [} and {@code ]},
 * which have no place in a request's path or query: no space, control character, {@code | " \ ^ ` < > { }}
 * or byte above 0x7F), every {@code %} starts two hexadecimal digits, and what the escapes spell is UTF-8.
 * The HTTP stack's URI parsing fails on any other character and its decoders on a malformed escape
 * (the connection then closes without an answer), or turn it into U+FFFD silently; checked first, such
 * a target gets a clear 400 naming the problem instead.
 */
public final class PercentEscapes {

    private PercentEscapes() {
    }

    /** Why {@code target} (path and query, as on the request line) cannot be decoded, or null when it can. */
    public static String problem(String target) {
        ByteBuffer bytes = ByteBuffer.allocate(target.length());
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= target.length() || hex(target.charAt(i + 1)) < 0 || hex(target.charAt(i + 2)) < 0) {
                    return "the request target has a malformed percent-escape at character " + (i + 1) + " ('"
                            + excerpt(target, i) + "'): every % must start two hexadecimal digits, such as %20 or %25 for % itself";
                }
                bytes.put((byte) (hex(target.charAt(i + 1)) << 4 | hex(target.charAt(i + 2))));
                i += 2;
            } else if (c >= 0x80) {
                return "the request target holds a raw byte above 0x7F at character " + (i + 1) + ": percent-encode names"
                        + " as UTF-8 (é is %C3%A9)";
            } else if (!allowed(c)) {
                return "the request target holds " + shown(c) + " at character " + (i + 1) + ", which a URL cannot hold as"
                        + " it is: percent-encode it (" + String.format("%%%02X", (int) c) + ")";
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
            return null;
        } catch (CharacterCodingException e) {
            return "the request target's percent-escapes do not spell UTF-8 text: encode names as UTF-8 before"
                    + " percent-encoding them";
        }
    }

    /** Whether {@code c} may stand as it is in a request target (RFC 3986: unreserved, sub-delims, ":@/?" and "%"). */
    private static boolean allowed(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0;
    }

    private static String shown(char c) {
        return c > 0x20 && c < 0x7F ? "'" + c + "'" : String.format("the control character U+%04X", (int) c);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static String excerpt(String target, int at) {
        return target.substring(at, Math.min(target.length(), at + 3));
    }
}
