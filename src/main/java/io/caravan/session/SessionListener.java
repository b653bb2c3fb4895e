package io.caravan.session;

/** Told about changes to a session; called on the thread that made the change. */
public interface SessionListener {

    /** Chunk {@code index} was stored; {@code replaced} when it replaced a different body. */
    void chunkStored(Session session, int index, boolean replaced);

    /**
     * Whether this listener will read chunk {@code index} soon, so the store should keep its body in
     * memory (when it has it) instead of leaving it to be read back from disk.
     */
    default boolean wantsBody(Session session, int index) {
        return false;
    }

    /** The session is going away (expired, deleted or finished). */
    default void closed(Session session) {
    }
}
