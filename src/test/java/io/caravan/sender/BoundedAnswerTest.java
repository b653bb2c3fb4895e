package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A receiver's answer is read no further than it can be: one longer than its bound is refused quoting
 * its beginning, even when all of it arrives in one read, and one that is not JSON is quoted.
 */
class BoundedAnswerTest {

    private static ByteArrayInputStream answer(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAnswerWithinItsBoundIsParsed() throws Exception {
        assertThat(BoundedAnswer.json(answer("{\"path\":\"a\"}"), 12, "POST http://h/finish").path("path").asText())
                .isEqualTo("a");
    }

    @Test
    void anAnswerPastItsBoundIsRefusedQuotingItsBeginning() {
        assertThatThrownBy(() -> BoundedAnswer.json(answer("{\"path\":\"" + "x".repeat(100) + "\"}"), 20, "POST http://h/start"))
                .isInstanceOf(UnreadableAnswerException.class)
                .hasMessageContaining("POST http://h/start").hasMessageContaining("longer than the 20 bytes")
                .hasMessageContaining("begins: {\"path\":\"xxxxxxxxx");
    }

    @Test
    void anAnswerThatIsNotJsonIsQuoted() {
        assertThatThrownBy(() -> BoundedAnswer.json(answer("<html>hello</html>"), 1000, "GET http://h/status"))
                .isInstanceOf(UnreadableAnswerException.class).hasMessageContaining("not JSON")
                .hasMessageContaining("begins: <html>hello</html>");
    }

    @Test
    void aDiscardedAnswerPastItsBoundIsRefused() {
        assertThatThrownBy(() -> BoundedAnswer.discard(answer("y".repeat(50)), 10, "DELETE http://h/s"))
                .isInstanceOf(UnreadableAnswerException.class).hasMessageContaining("begins: yyyyyyyyyy");
    }
}
