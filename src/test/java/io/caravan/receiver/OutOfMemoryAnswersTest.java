package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that ran the receiver out of memory is answered 503 {@code busy} in Caravan's words:
 * which memory ran out (direct buffer memory, taken by large bodies at once, or the heap) and to
 * retry later, never the text of the exception Camel wrapped it in: through a real receiver route,
 * and for each kind of memory.
 */
class OutOfMemoryAnswersTest {

    private static JsonNode answer(Throwable failure) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange failed = new DefaultExchange(context);
            // what Camel throws when a bean step fails with an error: its message names the exchange
            CamelExecutionException wrapped = new CamelExecutionException("Exception occurred during execution", failed, failure);
            assertThat(wrapped.getMessage()).contains("Exchange[");
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, wrapped);
            new ErrorAnswers(Path.of("/inbox"), code -> { }).answer(exchange);
            assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
            assertThat(exchange.getMessage().getHeader("Retry-After")).isEqualTo("5");
            JsonNode body = new ObjectMapper().readTree(exchange.getMessage().getBody(String.class));
            assertThat(body.path("error").asText()).isEqualTo("busy");
            assertThat(body.path("message").asText()).doesNotContain("Exchange").doesNotContain("Exception")
                    .contains("nothing was stored").contains("retry later");
            return body;
        }
    }

    /** A bean step of a real receiver route that fails with an error, as the heap running out would. */
    public static final class HeapExhausted {
        public void fail() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void aRouteStepOutOfHeapIsAnsweredInCaravansWords(@TempDir Path tmp) throws Exception {
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"))) {
            AdviceWith.adviceWith(receiver.context(), "report-status", route -> route.weaveAddFirst().bean(new HeapExhausted(), "fail"));
            java.net.http.HttpResponse<String> answer = receiver.get("/status/0123456789abcdef0123456789abcdef");
            JsonNode body = ReceiverCalls.error(answer, 503, "busy");
            assertThat(body.path("message").asText()).isEqualTo("the receiver is out of heap memory (-Xmx); nothing was stored,"
                    + " retry later");
            assertThat(answer.headers().firstValue("Retry-After")).contains("5");
        }
    }

    @Test
    void directBufferMemoryIsNamedAsSuch() throws Exception {
        String message = answer(new OutOfMemoryError("Cannot reserve 33554432 bytes of direct buffer memory"
                + " (allocated: 100663296, limit: 134217728)")).path("message").asText();
        assertThat(message).contains("out of direct buffer memory").doesNotContain("heap");
    }

    @Test
    void heapExhaustionIsNotCalledBufferMemory() throws Exception {
        String message = answer(new OutOfMemoryError("Java heap space")).path("message").asText();
        assertThat(message).contains("out of heap memory").doesNotContain("buffer");
    }
}
