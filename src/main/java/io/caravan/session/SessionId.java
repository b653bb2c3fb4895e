package io.caravan.session;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** An upload session id: 128 random bits as 32 lowercase hex digits; never derived from the clock. */
public record SessionId(String value) {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("[0-9a-f]{32}");

    public SessionId {
        if (value == null || !FORMAT.matcher(value).matches()) {
            throw new SessionNotFoundException(String.valueOf(value));
        }
    }

    public static SessionId random() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return new SessionId(HexFormat.of().formatHex(bits));
    }

    @Override
    public String toString() {
        return value;
    }
}
