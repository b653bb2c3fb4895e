package io.caravan.util;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict checking of a request target's percent-escapes before anything decodes it: every {@code %}
 * starts two hexadecimal digits, and what the escapes spell is UTF-8. Decoders in the HTTP stack
 * either fail on a malformed escape (and the connection closes without an answer) or turn it into
 * U+FFFD silently; checked first, a malformed target gets a clear 400 instead.
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
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                return null; // not what a client sends on a request line; left to the decoder as it was
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

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static String excerpt(String target, int at) {
        return target.substring(at, Math.min(target.length(), at + 3));
    }
}
