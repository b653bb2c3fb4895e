package io.caravan.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's files come from the jar, by an allow-list, with their content types and a strict
 * Content-Security-Policy; the pages hold no inline script; any other name under {@code /console/},
 * path traversal included, is a 404 JSON error.
 */
class ConsoleAssetsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] AUTH = {"Authorization", "Bearer secret"};

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");
    ReceiverFixture receiver;

    @BeforeEach
    void started(ReceiverFixture started) {
        receiver = started;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return receiver.send("GET", path, null, AUTH);
    }

    private static String type(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    @Test
    void eachFileIsServedWithItsContentType() throws Exception {
        assertThat(type(get("/console/console.js"))).startsWith("text/javascript");
        assertThat(type(get("/console/console.css"))).startsWith("text/css");
        assertThat(type(get("/console/icon.svg"))).startsWith("image/svg+xml");
        HttpResponse<String> uplot = get("/console/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(type(uplot)).startsWith("text/javascript");
        assertThat(uplot.body()).contains("uPlot");
        assertThat(type(get("/console/uPlot.min.css"))).startsWith("text/css");
        assertThat(get("/console/console.js").headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void thePagesHoldNoInlineScriptOrStyle() throws Exception {
        for (String page : new String[] {receiver.get("/").body(), get("/").body()}) {
            Matcher scripts = Pattern.compile("<script[^>]*>").matcher(page);
            while (scripts.find()) {
                assertThat(scripts.group()).contains(" src=\"/console/");
            }
            assertThat(page).doesNotContain("<style").doesNotContain(" style=").doesNotContain(" onclick=")
                    .contains("name=\"viewport\"");
        }
        String csp = get("/").headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).contains("default-src 'none'").contains("script-src 'self'").contains("frame-ancestors 'none'");
    }

    @Test
    void namesOutsideTheAllowListAre404Json() throws Exception {
        for (String path : new String[] {"/console/..%2F..%2Fpom.xml", "/console/%2e%2e%2fapplication.properties",
                "/console/console.html", "/console/log4j2.properties", "/console/..%5Cconsole.js", "/console/routes%2Freceiver.camel.yaml",
                "/console/META-INF%2Fresources%2Fwebjars%2Fuplot%2F1.6.30%2Fdist%2FuPlot.iife.min.js", "/console/../pom.xml"}) {
            HttpResponse<String> answer = get(path);
            assertThat(answer.statusCode()).as(path).isEqualTo(404);
            assertThat(type(answer)).as(path).startsWith("application/json");
            JsonNode error = JSON.readTree(answer.body());
            assertThat(error.get("error").asText()).as(path).isEqualTo("not_found");
            assertThat(error.get("message").asText()).as(path).isNotBlank();
        }
    }
}
