package io.caravan.bandwidth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A stream read through a bucket takes as long as its bytes need at the bucket's rate, a slice at a time. */
class LimitedInputStreamTest {

    @Test
    void readsNoFasterThanTheBucketAndInSlices() throws Exception {
        TokenBucketTest.TestTime time = new TokenBucketTest.TestTime();
        TokenBucket bucket = new TokenBucket(BandwidthSchedule.parse("256KiB"), time);
        byte[] data = new byte[1 << 20];
        try (InputStream in = new LimitedInputStream(new ByteArrayInputStream(data), bucket)) {
            byte[] buffer = new byte[1 << 20];
            assertThat(in.read(buffer, 0, 0)).as("a read of nothing").isZero();
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                assertThat(n).as("a slice: a tenth of a second's worth").isLessThanOrEqualTo(256 * 1024 / 10);
                total += n;
            }
            assertThat(total).isEqualTo(data.length);
        }
        assertThat(Duration.ofNanos(time.nanos())).as("time the bucket let pass").isBetween(Duration.ofMillis(3_500),
                Duration.ofMillis(4_100));
    }
}
