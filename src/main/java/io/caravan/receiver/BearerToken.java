package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import io.caravan.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The receiver's bearer token, or none. A request's {@code Authorization} header is accepted only
 * when it is {@code Bearer <token>}; the comparison takes the same time whatever the header holds
 * (both sides are hashed first, so neither content nor length leaks through timing).
 */
public final class BearerToken {

    public static final BearerToken NONE = new BearerToken(null);

    private final byte[] expected;

    private BearerToken(byte[] expected) {
        this.expected = expected;
    }

    /** The token as configured; null or blank means no token. */
    public static BearerToken of(String token) {
        return token == null || token.isBlank() ? NONE
                : new BearerToken(digest(("Bearer " + token.trim()).getBytes(StandardCharsets.UTF_8)));
    }

    public boolean required() {
        return expected != null;
    }

    /**
     * Whether a request with this {@code Authorization} header value may pass. HTTP header values
     * arrive as bytes shown one character per byte (ISO-8859-1), so a UTF-8 token compares byte for byte.
     */
    public boolean accepts(String authorization) {
        if (expected == null) {
            return true;
        }
        byte[] given = authorization == null ? new byte[0] : authorization.trim().getBytes(StandardCharsets.ISO_8859_1);
        return MessageDigest.isEqual(expected, digest(given));
    }

    /** Refuses (401 {@code unauthorized}) a request whose {@code Authorization} header this token does not accept. */
    public void require(String authorization) {
        if (!accepts(authorization)) {
            throw new RequestRejectedException(401, "unauthorized",
                    "missing or wrong bearer token: send 'Authorization: Bearer <token>'");
        }
    }

    private static byte[] digest(byte[] bytes) {
        MessageDigest digest = Sha256.newDigest();
        return digest.digest(bytes);
    }
}
