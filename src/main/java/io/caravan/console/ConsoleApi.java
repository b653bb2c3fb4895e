package io.caravan.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.BearerToken;
import io.caravan.receiver.WrongTokenLimit;
import io.caravan.session.RequestRejectedException;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The HTTP side of the console (rest {@code console-api} of routes/receiver.camel.yaml, or of
 * routes/console.camel.yaml in a process without a receiver): the page at
 * {@code /} (the login page to a browser without the token or its cookie), the login and logout
 * forms, the allow-listed files and the overview JSON. Every answer carries a strict
 * Content-Security-Policy (scripts and styles only from this origin, nothing inline, no framing);
 * refusals are thrown and answered as JSON errors by the routes' error configuration.
 */
public final class ConsoleApi {

    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BearerToken token;
    private final ConsoleAssets assets;
    private final OverviewSource overview;
    private final Consumer<Exchange> loginRefused;
    private final boolean secure;

    /**
     * {@code loginRefused} is told of each login with a wrong token (the receiver records it in its audit
     * trail); {@code secure}: the console is served over TLS, so the cookie is marked {@code Secure}.
     */
    public ConsoleApi(BearerToken token, ConsoleAssets assets, OverviewSource overview, Consumer<Exchange> loginRefused,
                      boolean secure) {
        this.token = token;
        this.assets = assets;
        this.overview = overview;
        this.loginRefused = loginRefused;
        this.secure = secure;
    }

    /** {@code GET /}: the console to a client with the token or its cookie, else the login page. */
    public void page(Exchange exchange) {
        answer(exchange, 200, admitted(exchange) ? assets.consolePage() : assets.loginPage(false));
    }

    /** {@code GET /console/{asset}}: a file of the allow-list; 404 for any other name. */
    public void asset(Exchange exchange) {
        if (!ConsoleAccess.open(method(exchange), path(exchange))) {
            require(exchange); // the login page's own style sheet and icon need nothing
        }
        String name = exchange.getMessage().getHeader("asset", String.class);
        ConsoleAssets.Asset asset = assets.file(name).orElseThrow(() -> new RequestRejectedException(404, "not_found",
                "the console has no file '" + name + "'"));
        answer(exchange, 200, asset);
    }

    /** {@code GET /console/api/overview}: live sessions, recent transfers, failures, mirrors and shares as JSON. */
    public void overview(Exchange exchange) throws IOException {
        require(exchange);
        byte[] body = JSON.writeValueAsBytes(overview.overview());
        answer(exchange, 200, new ConsoleAssets.Asset(body, "application/json"));
    }

    /**
     * {@code POST /console/login} with the form field {@code token}: the right token opens a login and sets its cookie
     * and goes back to {@code /}; a wrong one shows the login page again with its error (401), and is told
     * to {@code loginRefused} (the receiver's audit trail records it as an authentication failure). A client address
     * past its {@link WrongTokenLimit} gets 429 with the login page saying when to try again, its token not compared.
     */
    public void login(Exchange exchange) {
        if (refusedFromAnotherSite(exchange)) {
            return;
        }
        SocketAddress remote = exchange.getMessage().getHeader("CamelNettyRemoteAddress", SocketAddress.class);
        // counted before the token is compared, given back when it is right: logins at once cannot pass the limit together
        Duration wait = token.required() ? token.wrongTokens().attempt(remote) : Duration.ZERO;
        if (!wait.isZero()) { // the form's token is not compared: guessing goes no faster
            long seconds = WrongTokenLimit.seconds(wait);
            loginRefused.accept(exchange);
            answer(exchange, 429, assets.loginPageSaying("Too many wrong tokens came from this address. Try again in "
                    + seconds + " s."));
            exchange.getMessage().setHeader("Retry-After", seconds);
            return;
        }
        String given = formField(exchange.getMessage().getBody(String.class), "token");
        String typed = given == null ? null : BearerToken.withoutAround(given, " \t\r\n"); // a copy and paste's, never a control character
        if (typed != null && !typed.isEmpty() && token.accepts("Bearer " + typed)) {
            if (token.required()) {
                token.wrongTokens().right(remote);
            }
            redirect(exchange, ConsoleAccess.setCookie(token.login(), secure));
            return;
        }
        loginRefused.accept(exchange);
        answer(exchange, 401, assets.loginPage(true));
    }

    /** {@code POST /console/logout} (403 from a page of another site, as for the login): ends the cookie's login (it opens nothing more), clears the cookie and goes back to {@code /}. */
    public void logout(Exchange exchange) {
        if (refusedFromAnotherSite(exchange)) {
            return;
        }
        token.logout(ConsoleAccess.cookie(exchange.getMessage().getHeader("Cookie", String.class)));
        redirect(exchange, ConsoleAccess.clearCookie(secure));
    }

    /** A form posted from a page of another site ({@link ConsoleAccess#fromAnotherSite}) gets 403 and the login page saying so. */
    private boolean refusedFromAnotherSite(Exchange exchange) {
        Message in = exchange.getMessage();
        if (!ConsoleAccess.fromAnotherSite(in.getHeader("Sec-Fetch-Site", String.class), in.getHeader("Origin", String.class),
                in.getHeader("Host", String.class))) {
            return false;
        }
        answer(exchange, 403, assets.loginPageSaying("This form was sent from a page of another site, so it was refused."
                + " Open the console at / and log in or out there."));
        return true;
    }

    private boolean admitted(Exchange exchange) {
        Message in = exchange.getMessage();
        return ConsoleAccess.admitted(token, method(exchange), path(exchange), in.getHeader("Authorization", String.class),
                in.getHeader("Cookie", String.class));
    }

    private static String method(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "GET", String.class);
    }

    private static String path(Exchange exchange) {
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, "/", String.class);
        String path = uri.split("\\?", 2)[0];
        int scheme = path.indexOf("://");
        if (scheme >= 0) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        return path;
    }

    /** The gate admitted the request already; checked again for requests that reach here another way. */
    private void require(Exchange exchange) {
        if (!admitted(exchange)) {
            throw new RequestRejectedException(401, "unauthorized",
                    "log in to the console at / or send 'Authorization: Bearer <token>'");
        }
    }

    private static void answer(Exchange exchange, int status, ConsoleAssets.Asset asset) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, asset.contentType());
        out.setHeader("Content-Security-Policy", POLICY);
        out.setHeader("X-Content-Type-Options", "nosniff");
        out.setHeader("Referrer-Policy", "no-referrer");
        out.setBody(asset.bytes());
    }

    private static void redirect(Exchange exchange, String setCookie) {
        answer(exchange, 303, new ConsoleAssets.Asset(new byte[0], "text/plain; charset=utf-8"));
        exchange.getMessage().setHeader("Location", "/");
        exchange.getMessage().setHeader("Set-Cookie", setCookie);
    }

    /** A field of a form-encoded body ({@code a=1&b=2}), percent-decoded; null when absent or malformed. */
    static String formField(String body, String name) {
        if (body == null) {
            return null;
        }
        for (String pair : body.split("&")) {
            String[] parts = pair.split("=", 2);
            if (parts.length == 2 && parts[0].equals(name)) {
                try {
                    return URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
