package io.caravan.receiver;

import io.caravan.console.ConsoleLogins;
import io.caravan.session.RequestRejectedException;
import io.caravan.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;

/**
 * The receiver's bearer token, or none. A request's {@code Authorization} header is accepted only
 * when it is {@code Bearer <token>}; the comparison takes the same time whatever the header holds
 * (both sides are hashed first, so neither content nor length leaks through timing). The console's
 * login cookie holds the random id of one login ({@link ConsoleLogins}), nothing derived from the token.
 * Wrong tokens are slowed per client address by its {@link WrongTokenLimit}, which those who check requests ask.
 */
public final class BearerToken {

    public static final BearerToken NONE = new BearerToken(null, WrongTokenLimit.BURST);

    private final byte[] expected;
    private final ConsoleLogins logins = new ConsoleLogins(Instant::now);
    private final WrongTokenLimit wrongTokens;

    private BearerToken(byte[] expected, int wrongTokenBurst) {
        this.expected = expected;
        this.wrongTokens = new WrongTokenLimit(wrongTokenBurst);
    }

    /** The token as configured; null or blank means no token. Wrong ones are slowed at the default burst. */
    public static BearerToken of(String token) {
        return of(token, WrongTokenLimit.BURST);
    }

    /** The token as configured (null or blank: none), each client address allowed {@code wrongTokenBurst} wrong ones at once. */
    public static BearerToken of(String token, int wrongTokenBurst) {
        return token == null || token.isBlank() ? NONE
                : new BearerToken(digest(("Bearer " + token.trim()).getBytes(StandardCharsets.UTF_8)), wrongTokenBurst);
    }

    /** A new console login (after the token was given): the id its cookie holds ({@link ConsoleLogins}). */
    public String login() {
        return logins.open();
    }

    /** Ends the console login whose cookie holds {@code value}: the cookie opens nothing from now on. */
    public void logout(String value) {
        logins.close(value);
    }

    /** Whether a console cookie with this value may pass: always without a token, else while its login is open. */
    public boolean acceptsCookie(String value) {
        return expected == null || logins.opens(value);
    }

    /** The wrong tokens each client address may still send ({@link WrongTokenLimit}); asked only when a token is required. */
    public WrongTokenLimit wrongTokens() {
        return wrongTokens;
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

    /**
     * {@code Bearer <token>} whatever the case of the scheme's name and the spaces after it (RFC 9110, 11.1); only
     * spaces and tabs around it are cut (a header's optional white space), never a control character.
     */
    private static String normalized(String authorization) {
        String value = withoutAround(authorization, " \t");
        if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "Bearer " + withoutAround(value.substring(7), " \t");
        }
        return value;
    }

    /** {@code text} without the characters of {@code cut} around it. */
    public static String withoutAround(String text, String cut) {
        int from = 0;
        int to = text.length();
        while (from < to && cut.indexOf(text.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && cut.indexOf(text.charAt(to - 1)) >= 0) {
            to--;
        }
        return text.substring(from, to);
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
