package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.session.SessionNotFoundException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's routes (routes/receiver.camel.yaml) leave failures to their route configuration:
 * a bean step that throws is answered by receiver-errors with the JSON error answer, and the
 * failure is what Camel's error handling caught, not something a bean swallowed.
 */
class ReceiverRoutesAnswerFailuresTest {

    @TempDir
    Path tmp;

    @Test
    void aFailingStepIsAnsweredByTheRouteConfiguration() throws Exception {
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            List<CamelEvent.ExchangeFailureHandledEvent> handled = new CopyOnWriteArrayList<>();
            receiver.context().getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
                @Override
                public void notify(CamelEvent event) {
                    if (event instanceof CamelEvent.ExchangeFailureHandledEvent failure) {
                        handled.add(failure);
                    }
                }
            });

            HttpResponse<String> answer = receiver.get("/status/0123456789abcdef0123456789abcdef");

            JsonNode body = ReceiverCalls.error(answer, 404, "session_not_found");
            assertThat(body.path("message").asText()).contains("0123456789abcdef0123456789abcdef");
            assertThat(handled).as("failures Camel's error handling answered").singleElement().satisfies(failure -> {
                assertThat(failure.getExchange().getFromRouteId()).as("the REST verb it came by").isEqualTo("session-status");
                assertThat(failure.getExchange().getProperty(Exchange.EXCEPTION_CAUGHT)).isInstanceOf(SessionNotFoundException.class);
            });
        }
    }

    @Test
    void everyRouteOfTheHttpApiNamesTheErrorConfiguration() throws Exception {
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            List<String> api = List.of("start-session", "store-chunk", "publish-session", "report-status", "delete-session",
                    "check-content", "list-mirror", "change-mirror", "report-health", "report-metrics",
                    "list-parcels", "serve-manifest", "serve-chunk", "serve-zip", "serve-tar-zst", "serve-file");
            for (String id : api) {
                assertThat(receiver.context().getRoute(id)).as(id).isNotNull();
                assertThat(receiver.context().getRoute(id).getConfigurationId()).as(id).isEqualTo("receiver-errors");
            }
        }
    }
}
