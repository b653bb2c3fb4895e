package io.caravan.bandwidth;

import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance form of {@link BandwidthLimitedSendTest}: the limit holds within 10 % over a 20 s send. */
class BandwidthLimitedSendIT {

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void aTwentySecondSendHoldsTheLimitWithinTenPercent(ReceiverFixture receiver) throws Exception {
        BandwidthLimitedSendTest.assertRateHeld(receiver, tmp, 20);
    }
}
