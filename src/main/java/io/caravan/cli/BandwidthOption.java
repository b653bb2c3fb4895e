package io.caravan.cli;

import io.caravan.bandwidth.BandwidthSchedule;
import io.caravan.bandwidth.TokenBucket;
import picocli.CommandLine.Option;

/** {@code --bwlimit}: the rate one command moves its bytes at, all its parallel transfers together. */
final class BandwidthOption {

    @Option(names = "--bwlimit", paramLabel = "<rate>", description = {"Bandwidth limit per second for all transfers"
            + " together: a size (50MiB, 800K), off, or a timetable of local times (\"08:00,10MiB 19:00,off\")."})
    String bwlimit;

    /** The bucket the command's transfers share; one that never waits without a limit. */
    TokenBucket bucket() {
        return TokenBucket.of(BandwidthSchedule.parse(bwlimit));
    }
}
