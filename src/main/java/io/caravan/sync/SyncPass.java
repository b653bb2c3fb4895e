package io.caravan.sync;

import io.caravan.CaravanException;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mirroring pass as a bean for a timer route: lists the mirror, diffs, ships and deletes. A
 * pass with failed entries throws, so the route logs it; the next pass retries them. A pass the
 * guards refuse changes nothing and is logged as a warning once, until the reason changes. A pass
 * that runs out of memory or of stack ({@link PassExhaustedException}) is one warning saying what to
 * give it, its trace at debug only, and the service goes on: the next pass tries again.
 */
public final class SyncPass {

    private static final Logger LOG = LoggerFactory.getLogger(SyncPass.class);

    private final MirrorSync sync;
    private String lastRefusal;

    public SyncPass(MirrorSync sync) {
        this.sync = sync;
    }

    public synchronized MirrorSync.Outcome run() throws IOException {
        MirrorSync.Outcome outcome;
        try {
            outcome = sync.pass(false, Set.of(), Set.of());
        } catch (PassRefusedException e) {
            if (!e.getMessage().equals(lastRefusal)) {
                LOG.warn("mirror pass refused: {}", e.getMessage());
                lastRefusal = e.getMessage();
            }
            return new MirrorSync.Outcome(0, 0, 0, List.of(e.getMessage()));
        } catch (PassExhaustedException e) {
            String said = e.retriedByService("caravan.sync.exclude");
            LOG.warn("mirror pass failed: {}", said);
            LOG.debug("mirror pass: the error's trace", e);
            return new MirrorSync.Outcome(0, 0, 0, List.of(said));
        }
        lastRefusal = null;
        if (!outcome.ok()) {
            throw new CaravanException(outcome.failed() + " entries failed to sync, retried at the next pass: "
                    + String.join("; ", outcome.failures()));
        }
        return outcome;
    }
}
