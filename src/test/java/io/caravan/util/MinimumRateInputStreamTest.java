package io.caravan.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Only the time spent waiting inside {@code read} counts: a reader that pauses between reads is never taken for a slow server. */
class MinimumRateInputStreamTest {

    @Test
    void aReaderThatPausesBetweenReadsIsNotTakenForASlowServer() throws Exception {
        AtomicBoolean hungUp = new AtomicBoolean();
        try (InputStream in = new MinimumRateInputStream(new ByteArrayInputStream(new byte[8]), 1000, Duration.ofMillis(200),
                () -> hungUp.set(true))) {
            int read = 0;
            while (in.read() >= 0) {
                read++;
                Thread.sleep(100); // like waiting for a bandwidth limit: 8 bytes in 0.8 s, far below 1000 bytes/s
            }
            assertThat(read).isEqualTo(8);
        }
        assertThat(hungUp).isFalse();
    }
}
