package io.caravan.sync;

import io.caravan.CaravanException;
import java.io.IOException;
import java.util.Set;

/**
 * One mirroring pass as a bean for a timer route: lists the mirror, diffs, ships and deletes. A
 * pass with failed entries throws, so the route logs it; the next pass retries them.
 */
public final class SyncPass {

    private final MirrorSync sync;

    public SyncPass(MirrorSync sync) {
        this.sync = sync;
    }

    public MirrorSync.Outcome run() throws IOException {
        MirrorSync.Outcome outcome = sync.pass(false, Set.of(), Set.of());
        if (!outcome.ok()) {
            throw new CaravanException(outcome.failed() + " entries failed to sync, retried at the next pass: "
                    + String.join("; ", outcome.failures()));
        }
        return outcome;
    }
}
