package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.download.CatalogClient;
import io.caravan.download.CraftedCatalog;
import io.caravan.fs.Versions;
import io.caravan.sender.Retry;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote catalog whose listing never ends (pages of 30000 parcels, each naming a further page) does
 * not hold the pull: each page's parcels are handled before the next page is asked for, and the pass
 * ends at the most parcels a pass lists, without holding the listing in memory.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EndlessCatalogTest {

    private static final int PAGE = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void anEndlessListingEndsThePassAtTheCap() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        Path inbox = tmp.resolve("inbox");
        try (CraftedCatalog server = new CraftedCatalog(Map.of(
                "/parcels/manifest", exchange -> {
                    requests.add("manifest");
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                },
                "/parcels", exchange -> {
                    String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
                    int page = query.contains("after=feeds/page") ? Integer.parseInt(query.replaceAll(".*after=feeds/page", "")) : 0;
                    requests.add("page " + page);
                    CraftedCatalog.answer(exchange, page(page));
                }))) {
            writeState(inbox, server.url());
            CatalogClient client = new CatalogClient(server.url(), null, Duration.ofSeconds(30)).maxListed(100_000);
            PullPass pass = new PullPass(new PullPass.Settings(client, "feeds/", inbox, 1, 0, Versions.none(),
                    new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))), Clock.systemUTC());

            assertThat(pass.run()).isZero();
        }
        assertThat(requests).containsExactly("page 0", "manifest", "page 1", "page 2", "page 3");
    }

    @Test
    void aListingWhoseNextPageDoesNotMoveForwardEndsThePass() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        Path inbox = tmp.resolve("inbox");
        try (CraftedCatalog server = new CraftedCatalog(Map.of("/parcels", exchange -> {
            requests.add("page");
            CraftedCatalog.answer(exchange, "{\"parcels\": [], \"next\": \"feeds/same\"}".getBytes(StandardCharsets.UTF_8));
        }))) {
            PullPass pass = new PullPass(new PullPass.Settings(new CatalogClient(server.url(), null, Duration.ofSeconds(30)),
                    "feeds/", inbox, 1, 0, Versions.none(), new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))),
                    Clock.systemUTC());

            assertThat(pass.run()).isZero();
        }
        assertThat(requests).hasSize(2);
        assertThat(JSON.readTree(inbox.resolve(".caravan/pull/state.json").toFile()).path("last_pass").has("finished_at")).isTrue();
    }

    /** Page {@code n}: the same 30000 parcels, unchanged since the last pass, 'feeds/new' on the first; and a next page. */
    private static byte[] page(int n) throws java.io.IOException {
        ObjectNode page = JSON.createObjectNode();
        ArrayNode parcels = page.putArray("parcels");
        if (n == 0) {
            parcels.addObject().put("name", "feeds/new").put("etag", "\"v1\"");
        }
        for (int i = 0; i < PAGE; i++) {
            parcels.addObject().put("name", String.format("feeds/a%05d", i)).put("etag", "\"old\"");
        }
        page.put("next", String.format("feeds/page%06d", n + 1));
        return JSON.writeValueAsBytes(page);
    }

    /** A pull state that has every listed parcel but 'feeds/new' in the state the catalog lists. */
    private static void writeState(Path inbox, String url) throws Exception {
        ObjectNode state = JSON.createObjectNode();
        state.put("from", url);
        ObjectNode parcels = state.putObject("parcels");
        for (int i = 0; i < PAGE; i++) {
            parcels.put(String.format("feeds/a%05d", i), "\"old\"");
        }
        Path file = inbox.resolve(".caravan/pull/state.json");
        Files.createDirectories(file.getParent());
        Files.write(file, JSON.writeValueAsBytes(state));
    }
}
