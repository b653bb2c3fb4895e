package io.caravan.console;

import java.io.IOException;

/**
 * What the console's overview ({@code GET /console/api/overview}) shows: the receiver's
 * ({@link ConsoleOverview}) or, in a process that runs no receiver, the sender's ({@link SenderOverview}).
 * Each call answers a fresh snapshot, a record that Jackson writes as the JSON the page reads; the
 * source keeps no state of its own for it.
 */
@FunctionalInterface
public interface OverviewSource {

    /** The overview as of now. */
    Object overview() throws IOException;
}
