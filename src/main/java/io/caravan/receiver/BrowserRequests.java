package io.caravan.receiver;

import io.caravan.console.ConsoleAccess;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a web page the receiver's user visits may make the receiver do, judged from a request's headers by the
 * {@link RequestGate} for every route. A browser lets any page send "simple" requests to any address, the
 * loopback included, with the cookies it holds for it but never with an {@code Authorization} header; and a page
 * served from a name its owner points at 127.0.0.1 (DNS rebinding) reads the answers as its own.
 * <ul>
 * <li>A request that changes something (any method but {@code GET}, {@code HEAD} and {@code OPTIONS}) which the
 *     browser says comes from a page of another site ({@link ConsoleAccess#fromAnotherSite}: {@code Sec-Fetch-Site},
 *     else an {@code Origin} other than the {@code Host}) is refused, 403 {@code cross_site}. Reading stays open:
 *     a link followed from another site downloads as before, and no page can read the answer without CORS, which
 *     the receiver never grants. The console's login and logout forms answer such a request with their own page.</li>
 * <li>A receiver without a token (loopback only, or {@code --insecure}) answers only requests addressed to it by an
 *     IP address, {@code localhost} (or a name under {@code .localhost}) or a name in {@code allowedHosts}
 *     ({@code caravan.receiver.allowed-hosts}, and the name it is bound to): 403 {@code host_not_allowed} to any
 *     other {@code Host}, except the health probe. With a token, a page reads nothing by any name: the browser
 *     never sends the token for it.</li>
 * </ul>
 * Clients that are not browsers (Caravan's own, curl) send neither {@code Sec-Fetch-Site} nor {@code Origin}, and
 * address a receiver as they are told to; they pass.
 */
public final class BrowserRequests {

    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private final boolean tokenless;
    private final Set<String> allowedHosts;

    /** {@code tokenless}: the receiver takes requests without a token; {@code allowedHosts}: names it answers to then. */
    public BrowserRequests(boolean tokenless, Set<String> allowedHosts) {
        this.tokenless = tokenless;
        this.allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The names of a comma-separated list ({@code caravan.receiver.allowed-hosts}); empty for null or blank. */
    public static Set<String> names(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return Set.of();
        }
        return Set.of(commaSeparated.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The refusal of {@code request} for {@code path} (without its query), or null when it may pass. */
    GateRefusal refusal(HttpRequest request, String method, String path) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (!SAFE.contains(method) && !ConsoleAccess.open(method, path) && ConsoleAccess.fromAnotherSite(
                request.headers().get("Sec-Fetch-Site"), request.headers().get(HttpHeaderNames.ORIGIN), host)) {
            return GateRefusal.of(HttpResponseStatus.FORBIDDEN, "cross_site", "the browser says this request"
                    + " comes from a page of another site; a page may not change anything on this receiver");
        }
        if (tokenless && host != null && !path.equals("/health") && !allowed(host)) {
            return GateRefusal.of(HttpResponseStatus.FORBIDDEN, "host_not_allowed", "this receiver has no token,"
                    + " so it answers only requests addressed to an IP address or localhost, not to the name in this"
                    + " request's Host: add the name to caravan.receiver.allowed-hosts, or set a token");
        }
        return null;
    }

    /** Whether {@code host} (a Host header: a name or address, perhaps with a port) is one a tokenless receiver answers to. */
    boolean allowed(String host) {
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            return name.indexOf(']') > 1; // an IPv6 literal
        }
        int colon = name.lastIndexOf(':');
        if (colon >= 0 && name.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            name = name.substring(0, colon);
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return IPV4.matcher(name).matches() || name.equals("localhost") || name.endsWith(".localhost")
                || allowedHosts.contains(name);
    }
}
