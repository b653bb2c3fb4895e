package io.caravan.receiver;

/**
 * The heap one JSON request reserved in the {@link JsonMemory}, given back once both its work is over
 * (the route that reads and answers it returned, or never began) and its answer has ended (its last byte
 * left for the kernel, or the connection closed): a client that hangs up as soon as its body is sent so
 * frees nothing of what the route still holds. Its parties call it from different threads.
 */
final class ReservedHeap {

    private final JsonMemory memory;
    private final long cost;
    private boolean working;
    private boolean answered;
    private boolean released;

    /** {@code cost}: what {@link JsonMemory#reserve} took for the request. */
    ReservedHeap(JsonMemory memory, long cost) {
        this.memory = memory;
        this.cost = cost;
    }

    /**
     * The route begins to work on the request. False when it must not: its connection closed while the request
     * waited for a route, its heap was given back then, and the budget has no room to take it again now.
     */
    synchronized boolean workStarts() {
        if (released) {
            if (!memory.reserveAgain(cost)) {
                return false;
            }
            released = false;
        }
        working = true;
        return true;
    }

    /** The route is done with the request. */
    synchronized void workEnds() {
        working = false;
        if (answered) {
            release();
        }
    }

    /** The request's answer ended, or its connection closed. */
    synchronized void answered() {
        answered = true;
        if (!working) {
            release();
        }
    }

    private void release() {
        if (!released) {
            released = true;
            memory.release(cost);
        }
    }
}
