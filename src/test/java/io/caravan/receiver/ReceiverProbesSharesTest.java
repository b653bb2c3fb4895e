package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share whose scans fail (its followers get 503 {@code share_failing}) shows in {@code GET /health}:
 * {@code "shares":"DOWN"} and the failing shares with their reasons, while uploads still work (the
 * receiver stays UP and 200, so a load balancer keeps sending it uploads).
 */
class ReceiverProbesSharesTest {

    @TempDir
    Path tmp;

    @Test
    void aFailingShareShowsInHealthWithoutTakingTheReceiverDown() throws Exception {
        Path state = Files.createDirectories(tmp.resolve(".caravan"));
        Map<String, String> failing = new LinkedHashMap<>();
        ReceiverProbes probes = new ReceiverProbes(state, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                BearerToken.of(null), null).shares(() -> failing);

        JsonNode up = health(probes);
        assertThat(up.path("status").asText()).isEqualTo("UP");
        assertThat(up.path("shares").asText()).isEqualTo("UP");

        failing.put("site", "the share's scan ran out of memory: give it a larger heap");
        JsonNode down = health(probes);
        assertThat(down.path("status").asText()).isEqualTo("UP");
        assertThat(down.path("shares").asText()).isEqualTo("DOWN");
        assertThat(down.path("failing_shares").path("site").asText()).contains("ran out of memory");
    }

    private static JsonNode health(ReceiverProbes probes) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            probes.health(exchange);
            assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(200);
            return new ObjectMapper().readTree(exchange.getMessage().getBody(String.class));
        }
    }
}
