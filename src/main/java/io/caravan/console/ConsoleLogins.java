package io.caravan.console;

import io.caravan.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The console's open logins, kept in memory by the process that serves the console. Each login with the
 * token {@link #open}s one: a random id of 256 bits ({@link SecureRandom}), which the login cookie holds and
 * which tells nothing about the token. It opens the console until logout {@link #close}s it or it expires,
 * {@link #LIFETIME} after the login (a fixed time: using the console does not extend it). At most
 * {@link #MAX} are open: a login beyond them closes the oldest. Only each id's SHA-256 is kept, and a
 * cookie is looked up by its SHA-256 and compared with {@link MessageDigest#isEqual}, so how long a check
 * takes tells nothing about the ids. A restart closes them all (log in again). Safe from any thread.
 */
public final class ConsoleLogins {

    /** How long a login opens the console. */
    public static final Duration LIFETIME = Duration.ofHours(12);
    /** How many logins are open at most. */
    public static final int MAX = 1000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Supplier<Instant> clock;
    private final Map<String, Login> open = new LinkedHashMap<>();

    private record Login(byte[] digest, Instant expires) {
    }

    /** Logins timed by {@code clock} (the time now; {@code Instant::now} in the receiver). */
    public ConsoleLogins(Supplier<Instant> clock) {
        this.clock = clock;
    }

    /** A new login's id (43 URL-safe characters), open from now for {@link #LIFETIME}. */
    public synchronized String open() {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        byte[] digest = digest(value);
        Instant now = clock.get();
        open.values().removeIf(login -> !now.isBefore(login.expires()));
        open.put(HexFormat.of().formatHex(digest), new Login(digest, now.plus(LIFETIME)));
        for (Iterator<String> oldest = open.keySet().iterator(); open.size() > MAX; ) {
            oldest.next();
            oldest.remove();
        }
        return value;
    }

    /** Whether {@code value} is the id of a login still open. */
    public synchronized boolean opens(String value) {
        if (value == null) {
            return false;
        }
        byte[] digest = digest(value.trim());
        String key = HexFormat.of().formatHex(digest);
        Login login = open.get(key);
        if (login == null || !MessageDigest.isEqual(login.digest(), digest)) {
            return false;
        }
        if (!clock.get().isBefore(login.expires())) {
            open.remove(key);
            return false;
        }
        return true;
    }

    /** Closes the login {@code value} is the id of (logout); nothing when there is none. */
    public synchronized void close(String value) {
        if (value != null) {
            open.remove(HexFormat.of().formatHex(digest(value.trim())));
        }
    }

    /** How many logins are open (expired ones may still count until the next login). */
    synchronized int size() {
        return open.size();
    }

    private static byte[] digest(String value) {
        return Sha256.newDigest().digest(value.getBytes(StandardCharsets.ISO_8859_1));
    }
}
