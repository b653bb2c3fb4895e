package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import io.caravan.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The receiver's bearer token, or none. A request's {@code Authorization} header is accepted only
 * when it is {@code Bearer <token>}; the comparison takes the same time whatever the header holds
 * (both sides are hashed first, so neither content nor length leaks through timing). The console's
 * login cookie holds a digest of the token, never the token, and is compared the same way.
 */
public final class BearerToken {

    public static final BearerToken NONE = new BearerToken(null, null);

    private final byte[] expected;
    private final byte[] expectedCookie;

    private BearerToken(byte[] expected, byte[] expectedCookie) {
        this.expected = expected;
        this.expectedCookie = expectedCookie;
    }

    /** The token as configured; null or blank means no token. */
    public static BearerToken of(String token) {
        return token == null || token.isBlank() ? NONE
                : new BearerToken(digest(("Bearer " + token.trim()).getBytes(StandardCharsets.UTF_8)),
                        digest(cookieValue(token).getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * The console cookie's value for {@code token}: the hex SHA-256 of the token under a label of its
     * own, so a stolen cookie opens the console but does not give the token the protocol asks for.
     */
    public static String cookieValue(String token) {
        return HexFormat.of().formatHex(digest(("caravan-console\n" + token.trim()).getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether a console cookie with this value may pass (always, without a token); constant time like {@link #accepts}. */
    public boolean acceptsCookie(String value) {
        if (expectedCookie == null) {
            return true;
        }
        byte[] given = value == null ? new byte[0] : value.trim().getBytes(StandardCharsets.ISO_8859_1);
        return MessageDigest.isEqual(expectedCookie, digest(given));
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
        byte[] given = authorization == null ? new byte[0] : normalized(authorization).getBytes(StandardCharsets.ISO_8859_1);
        return MessageDigest.isEqual(expected, digest(given));
    }

    /** {@code Bearer <token>} whatever the case of the scheme's name and the spaces after it (RFC 9110, 11.1). */
    private static String normalized(String authorization) {
        String value = authorization.trim();
        if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "Bearer " + value.substring(7).stripLeading();
        }
        return value;
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
