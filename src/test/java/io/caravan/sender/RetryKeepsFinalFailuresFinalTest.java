package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A call that fails for a passing reason and then for good (an answer of another kind after a
 * timeout) ends with a failure that is still final, so the outbox moves its parcel to .failed/ instead
 * of picking it up again at every poll.
 */
class RetryKeepsFinalFailuresFinalTest {

    @Test
    void aFinalFailureAfterARetryIsStillFinal() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = new Retry(4, Duration.ofMillis(1), Duration.ofMillis(1));

        ShipException failure = catchThrowableOfType(ShipException.class, () -> retry.call("start of report", () -> {
            if (calls.incrementAndGet() == 1) {
                throw new ShipException(0, "POST /start: no answer within 60 s", null);
            }
            throw new UnreadableAnswerException("POST /start: the answer is not JSON");
        }));

        assertThat(calls).hasValue(2);
        assertThat(failure.retryable()).as(failure.getMessage()).isFalse();
        assertThat(failure.getMessage()).contains("not JSON").contains("after 2 attempts");
    }
}
