package io.caravan.route.send;

import org.apache.camel.support.DefaultScheduledPollConsumerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox's poll scheduler: Camel's own, except that a poll that ends with an {@link Error} does
 * not end the polling. Camel catches an exception of a parcel's exchange, but lets an {@code Error} out
 * of the poll, and a scheduled task that throws is never run again: the process stayed up and sent
 * nothing more. An {@code Error} of a parcel's steps is its exchange's failure ({@link ErrorsAsFailures});
 * one met in Camel's own work still leaves the poll: here it is logged and the next poll comes as
 * usual, and the parcel it happened to may stay in the outbox until the next start (camel-file keeps it
 * as in progress until then).
 */
public final class PollSurvivesErrors extends DefaultScheduledPollConsumerScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(PollSurvivesErrors.class);

    @Override
    public void scheduleTask(Runnable task) {
        super.scheduleTask(() -> {
            try {
                task.run();
            } catch (Error e) {
                LOG.error("a poll of the outbox ended with {} outside the steps of a parcel: the parcel it was sending may"
                        + " stay in the outbox until the next start, and the outbox is polled on", e.toString());
            }
        });
    }
}
