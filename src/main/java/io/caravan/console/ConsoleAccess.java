package io.caravan.console;

import io.caravan.receiver.BearerToken;
import java.util.Set;

/**
 * Who may see which part of the console. The login page, its style sheet and icon, and the login and
 * logout forms need nothing; every other console request needs the bearer token or the login cookie
 * ({@value #COOKIE}), and the cookie opens nothing but the console: the protocol's requests still need the
 * bearer token. The cookie holds one login's random id ({@link ConsoleLogins}), valid until logout or
 * {@link ConsoleLogins#LIFETIME} after the login; it is HttpOnly and SameSite=Strict, so no script and
 * no other site can send it.
 */
public final class ConsoleAccess {

    /** The login cookie's name. */
    public static final String COOKIE = "caravan_console";
    /** The console's files and API live under this path; its page is {@code /}. */
    public static final String PREFIX = "/console/";

    private static final Set<String> PUBLIC_FILES = Set.of(PREFIX + "console.css", PREFIX + "icon.svg");
    private static final String LOGIN = PREFIX + "login";
    private static final String LOGOUT = PREFIX + "logout";

    private ConsoleAccess() {
    }

    /** Whether a request for {@code path} (without its query) needs no credentials at all. */
    public static boolean open(String method, String path) {
        return switch (method) {
            case "GET", "HEAD" -> path.equals("/") || PUBLIC_FILES.contains(path);
            case "POST" -> path.equals(LOGIN) || path.equals(LOGOUT);
            default -> false;
        };
    }

    /** Whether the login cookie may stand in for the bearer token on a request for {@code path}. */
    public static boolean cookieOpens(String method, String path) {
        return (method.equals("GET") || method.equals("HEAD")) && (path.equals("/") || path.startsWith(PREFIX));
    }

    /**
     * Whether a browser says a form came from a page of another site (a cross-site request forgery of the login or
     * logout form): the browser's {@code Sec-Fetch-Site} when it sends one (only {@code same-origin} and
     * {@code none}, an address typed by hand, pass; this holds behind a proxy that rewrites {@code Host}), else its
     * {@code Origin}, which must name the {@code Host} the request was sent to ({@code null}, a sandboxed or
     * privacy-sensitive page, does not). A request with neither header comes from no browser, or from one too old to
     * say, and passes: the cookie is SameSite=Strict besides.
     */
    public static boolean fromAnotherSite(String fetchSite, String origin, String host) {
        if (fetchSite != null) {
            return !(fetchSite.equalsIgnoreCase("same-origin") || fetchSite.equalsIgnoreCase("none"));
        }
        if (origin == null) {
            return false;
        }
        try {
            String authority = java.net.URI.create(origin.trim()).getRawAuthority();
            return authority == null || host == null || !authority.equalsIgnoreCase(host.trim());
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /** Whether a request for {@code path} with these headers is admitted: the bearer token, or the cookie where it opens. */
    public static boolean admitted(BearerToken token, String method, String path, String authorization, String cookies) {
        if (token.accepts(authorization)) {
            return true;
        }
        return cookieOpens(method, path) && token.acceptsCookie(cookie(cookies));
    }

    /** The login cookie's value from a {@code Cookie} header, or null. */
    public static String cookie(String header) {
        if (header == null) {
            return null;
        }
        for (String pair : header.split(";")) {
            String[] parts = pair.trim().split("=", 2);
            if (parts.length == 2 && parts[0].equals(COOKIE)) {
                return parts[1];
            }
        }
        return null;
    }

    /** The {@code Set-Cookie} value that holds the login {@code id} ({@code Secure} when served over TLS). */
    public static String setCookie(String id, boolean secure) {
        return COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} value that logs out. */
    public static String clearCookie(boolean secure) {
        return COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }
}
