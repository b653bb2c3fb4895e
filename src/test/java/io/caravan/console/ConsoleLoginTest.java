package io.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.util.Sha256;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a token set, the console at {@code /} shows only its login page to a browser without the
 * token; the right token sets an HttpOnly, SameSite=Strict cookie that opens the console (and only
 * the console); a wrong token shows the login page with an error and is audited as an authentication failure.
 * Each login's cookie is a random id of its own that logging out revokes.
 */
class ConsoleLoginTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");
    ReceiverFixture receiver;

    @BeforeEach
    void started(ReceiverFixture started) {
        receiver = started;
    }

    private HttpResponse<String> login(String token) throws Exception {
        return receiver.send("POST", "/console/login", ("token=" + token).getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
    }

    private static String cookie(HttpResponse<String> login) {
        String header = login.headers().firstValue("Set-Cookie").orElseThrow();
        return header.split(";", 2)[0];
    }

    @Test
    void withoutTheTokenTheConsoleShowsOnlyItsLoginPage() throws Exception {
        HttpResponse<String> page = receiver.get("/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(page.body()).contains("id=\"login-form\"").doesNotContain("id=\"console\"");
        assertThat(receiver.get("/console/api/overview").statusCode()).isEqualTo(401);
        assertThat(receiver.get("/console/console.js").statusCode()).isEqualTo(401);
    }

    @Test
    void theLoginPageLoadsItsStyleAndIconWithoutTheTokenAndRecordsNoFailure() throws Exception {
        receiver.get("/");
        HttpResponse<String> style = receiver.get("/console/console.css");
        HttpResponse<String> icon = receiver.get("/console/icon.svg");

        assertThat(style.statusCode()).isEqualTo(200);
        assertThat(style.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
        assertThat(icon.statusCode()).isEqualTo(200);
        JsonNode audit = JSON.readTree(receiver.send("GET", "/audit", null, "Authorization", "Bearer secret").body());
        assertThat(audit.findValues("event").stream().map(JsonNode::asText)).doesNotContain("auth_failure");
    }

    @Test
    void theRightTokenSetsACookieThatOpensTheConsole() throws Exception {
        HttpResponse<String> login = login("secret");

        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).hasValue("/");
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("caravan_console=").contains("HttpOnly").contains("SameSite=Strict")
                .doesNotContain("secret");
        String cookie = cookie(login);
        HttpResponse<String> page = receiver.send("GET", "/", null, "Cookie", cookie);
        assertThat(page.body()).contains("id=\"console\"").doesNotContain("id=\"login-form\"");
        HttpResponse<String> overview = receiver.send("GET", "/console/api/overview", null, "Cookie", cookie);
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(overview.body()).has("sessions")).isTrue();
    }

    @Test
    void theBearerTokenOpensTheConsoleToo() throws Exception {
        HttpResponse<String> page = receiver.send("GET", "/", null, "Authorization", "Bearer secret");
        assertThat(page.body()).contains("id=\"console\"");
    }

    @Test
    void theCookieOpensOnlyTheConsoleNotTheProtocol() throws Exception {
        String cookie = cookie(login("secret"));

        assertThat(receiver.send("POST", "/start", "{}".getBytes(StandardCharsets.UTF_8), "Cookie", cookie,
                "Content-Type", "application/json").statusCode()).isEqualTo(401);
        assertThat(receiver.send("GET", "/audit", null, "Cookie", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void aForgedCookieIsRefused() throws Exception {
        HttpResponse<String> overview = receiver.send("GET", "/console/api/overview", null,
                "Cookie", "caravan_console=" + "0".repeat(64));

        assertThat(overview.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(overview.body()).get("error").asText()).isEqualTo("unauthorized");
        assertThat(receiver.send("GET", "/", null, "Cookie", "caravan_console=secret").body()).contains("id=\"login-form\"");
    }

    /**
     * The token typed into the form is compared as it is, but for white space around it (a copy and paste): control
     * characters around it make another token (they were cut off with the white space, as String.trim does).
     */
    @Test
    void controlCharactersAroundTheTokenAreNoWhiteSpace() throws Exception {
        assertThat(login("%00%01secret%1F").statusCode()).isEqualTo(401);
        assertThat(login("%0Bsecret").statusCode()).isEqualTo(401);
        assertThat(login("%20%09secret%0D%0A").statusCode()).as("white space around it").isEqualTo(303);
    }

    @Test
    void aWrongTokenShowsTheLoginErrorAndIsAudited() throws Exception {
        HttpResponse<String> login = login("guess");

        assertThat(login.statusCode()).isEqualTo(401);
        assertThat(login.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(login.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(login.body()).contains("id=\"login-form\"").contains("id=\"login-error\" class=\"error\">");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode audit = JSON.readTree(receiver.send("GET", "/audit", null, "Authorization", "Bearer secret").body());
            assertThat(audit.findValues("event").stream().map(JsonNode::asText)).contains("auth_failure");
            JsonNode failure = null;
            for (JsonNode event : audit) {
                if (event.get("event").asText().equals("auth_failure")) {
                    failure = event;
                }
            }
            assertThat(failure.get("name").asText()).isEqualTo("/console/login");
            assertThat(failure.get("client").asText()).isEqualTo("127.0.0.1");
        });
    }

    @Test
    void logoutClearsTheCookie() throws Exception {
        String cookie = cookie(login("secret"));
        HttpResponse<String> logout = receiver.send("POST", "/console/logout", new byte[0], "Cookie", cookie);

        assertThat(logout.statusCode()).isEqualTo(303);
        assertThat(logout.headers().firstValue("Set-Cookie").orElse("")).startsWith("caravan_console=;").contains("Max-Age=0");
    }

    @Test
    void eachLoginHasACookieOfItsOwnThatIsNoDigestOfTheToken() throws Exception {
        String first = cookie(login("secret"));
        String second = cookie(login("secret"));

        assertThat(first).isNotEqualTo(second);
        String value = first.substring("caravan_console=".length());
        byte[] label = "caravan-console\nsecret".getBytes(StandardCharsets.UTF_8);
        assertThat(value).isNotEqualTo(Sha256.of(label, 0, label.length));
        assertThat(value).hasSizeGreaterThanOrEqualTo(43); // 256 bits
        assertThat(receiver.send("GET", "/console/api/overview", null, "Cookie", first).statusCode()).isEqualTo(200);
        assertThat(receiver.send("GET", "/console/api/overview", null, "Cookie", second).statusCode()).isEqualTo(200);
    }

    @Test
    void logoutRevokesTheCookieOnTheReceiverNotOnlyInTheBrowser() throws Exception {
        String cookie = cookie(login("secret"));
        String other = cookie(login("secret"));
        receiver.send("POST", "/console/logout", new byte[0], "Cookie", cookie);

        assertThat(receiver.send("GET", "/console/api/overview", null, "Cookie", cookie).statusCode()).isEqualTo(401);
        assertThat(receiver.send("GET", "/", null, "Cookie", cookie).body()).contains("id=\"login-form\"");
        assertThat(receiver.send("GET", "/console/api/overview", null, "Cookie", other).statusCode()).isEqualTo(200);
    }

    @Test
    void aLoginFormPostedFromAnotherSiteIsRefusedAndSetsNoCookie() throws Exception {
        for (String[] header : new String[][] {{"Origin", "http://evil.example"}, {"Origin", "null"},
                {"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Site", "same-site"}}) {
            HttpResponse<String> login = receiver.send("POST", "/console/login",
                    "token=secret".getBytes(StandardCharsets.UTF_8), "Content-Type", "application/x-www-form-urlencoded",
                    header[0], header[1]);

            assertThat(login.statusCode()).as(header[0] + ": " + header[1]).isEqualTo(403);
            assertThat(login.headers().firstValue("Set-Cookie")).isEmpty();
            assertThat(login.body()).contains("id=\"login-error\" class=\"error\">").contains("another site");
        }
    }

    @Test
    void aLogoutPostedFromAnotherSiteKeepsTheLogin() throws Exception {
        String cookie = cookie(login("secret"));
        HttpResponse<String> logout = receiver.send("POST", "/console/logout", new byte[0], "Cookie", cookie,
                "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site");

        assertThat(logout.statusCode()).isEqualTo(403);
        assertThat(logout.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(receiver.send("GET", "/console/api/overview", null, "Cookie", cookie).statusCode()).isEqualTo(200);
    }

    @Test
    void aFormPostedFromTheConsolesOwnPageIsAccepted() throws Exception {
        String origin = "http://127.0.0.1:" + receiver.port();
        HttpResponse<String> login = receiver.send("POST", "/console/login", "token=secret".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded", "Origin", origin, "Sec-Fetch-Site", "same-origin");
        assertThat(login.statusCode()).isEqualTo(303);

        HttpResponse<String> logout = receiver.send("POST", "/console/logout", new byte[0], "Cookie", cookie(login),
                "Origin", origin);
        assertThat(logout.statusCode()).isEqualTo(303);
        assertThat(receiver.send("GET", "/console/api/overview", null, "Cookie", cookie(login)).statusCode()).isEqualTo(401);
    }
}
