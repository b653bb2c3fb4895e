package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.LoggedWarnings;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure the receiver did not foresee is answered 500 {@code internal} with a reference the operator
 * finds in the receiver's log next to the whole failure; the answer itself never shows the failure's
 * text, which can name the receiver's own folders (the inbox, {@code /proc/self/fd/N/...}) or its classes.
 */
class InternalFailureAnswerTest {

    @TempDir
    Path tmp;

    @Test
    void theAnswerGivesAReferenceNotTheFailure() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext(); LoggedWarnings logged = new LoggedWarnings()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
            exchange.getMessage().setHeader(Exchange.HTTP_URI, "/parcels/odd/manifest");
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT,
                    new IllegalStateException("cannot pack /proc/self/fd/17/odd/secret-folder/x"));

            new ErrorAnswers(tmp, code -> { }).answer(exchange);

            assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);
            JsonNode body = new ObjectMapper().readTree(exchange.getMessage().getBody(String.class));
            assertThat(body.path("error").asText()).isEqualTo("internal");
            String message = body.path("message").asText();
            assertThat(message).doesNotContain("/proc").doesNotContain("secret-folder").doesNotContain("IllegalStateException");
            String reference = body.path("reference").asText();
            assertThat(reference).matches("[0-9a-f]{8,}");
            assertThat(message).contains(reference);
            assertThat(logged.containing(reference)).as("the log line the reference leads to").isNotEmpty();
        }
    }
}
