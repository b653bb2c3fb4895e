package io.caravan.session;

/** Told about changes to a session; called on the thread that made the change. */
public interface SessionListener {

    /** Chunk {@code index} was stored; {@code replaced} when it replaced a different body. */
    void chunkStored(Session session, int index, boolean replaced);

    /** The session is going away (expired, deleted or finished). */
    default void closed(Session session) {
    }
}
