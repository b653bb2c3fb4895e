package io.caravan.pull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operator is told of pull passes that fail as a whole (routes/pull.camel.yaml): the remote
 * is down, answers its listing with anything but 2xx, or the pull state cannot be kept. Each is one
 * warning naming the remote and what happened, its trace at debug only; while the same failure lasts,
 * it is said again at most once every {@link #REPEAT}, with the count of passes that failed meanwhile,
 * and the first pass that works again says so once. A parcel that fails alone is {@link PullPass}'s to log.
 */
public final class PullFailures {

    /** How often a failure that lasts is said again. */
    static final Duration REPEAT = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(PullFailures.class);

    private final String remote;
    private final Clock clock;
    private String lastSaid;
    private Instant saidAt = Instant.MIN;
    private int failedPasses;

    public PullFailures(String remote, Clock clock) {
        this.remote = remote;
        this.clock = clock;
    }

    /** A pass ended by {@code failure}. */
    public synchronized void failed(Throwable failure) {
        failedPasses++;
        String what = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        Instant now = clock.instant();
        if (what.equals(lastSaid) && now.isBefore(saidAt.plus(REPEAT))) {
            LOG.debug("pull: {}: {} (again)", remote, what, failure);
            return;
        }
        LOG.warn("pull: {}: {} (tried again on the next pass{})", remote, what,
                failedPasses > 1 ? "; " + failedPasses + " passes failed in a row" : "");
        LOG.debug("pull: the failure's trace", failure);
        lastSaid = what;
        saidAt = now;
    }

    /** A pass went through: after failures, that is said once. */
    public synchronized void passed() {
        if (failedPasses > 0) {
            LOG.info("pull: {} answers again, after {} failed pass{}", remote, failedPasses, failedPasses == 1 ? "" : "es");
        }
        failedPasses = 0;
        lastSaid = null;
    }
}
