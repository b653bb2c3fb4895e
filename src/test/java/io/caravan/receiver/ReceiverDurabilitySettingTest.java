package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A receiver given a durability it does not know refuses to start, naming the value and the ones it knows. */
class ReceiverDurabilitySettingTest {

    @TempDir
    Path dir;

    @Test
    void anUnknownDurabilityStopsTheStartAndSaysWhichValuesExist() {
        assertThatThrownBy(() -> new ReceiverFixture(dir.resolve("inbox"), Map.of("caravan.receiver.durability", "fast")).close())
                .hasStackTraceContaining("caravan.receiver.durability")
                .hasStackTraceContaining("'fast'")
                .hasStackTraceContaining("publish")
                .hasStackTraceContaining("chunk");
    }
}
