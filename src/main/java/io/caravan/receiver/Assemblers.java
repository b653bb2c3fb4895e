package io.caravan.receiver;

import io.caravan.session.SessionStore;
import io.caravan.session.Session;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.UnpackOptions;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The extraction of each open archive session: exactly one {@link ArchiveAssembler} per open
 * archive session, fed by the session's stored chunks, until the session is published, deleted,
 * expired or the receiver closes.
 */
final class Assemblers {

    private final Map<String, ArchiveAssembler> bySession = new ConcurrentHashMap<>();
    private final ReceiverConfig config;
    private final SessionStore store;
    private final ExtractHooks content;
    private final ExtractionPool pool;
    private final StagingFolder staging;

    Assemblers(ReceiverConfig config, StagingFolder staging, SessionStore store, ExtractHooks content,
               ExtractionPool pool) {
        this.config = config;
        this.staging = staging;
        this.store = store;
        this.content = content;
        this.pool = pool;
    }

    /** Starts extracting {@code session} into its staging folder; it then reads each chunk as it is stored. */
    ArchiveAssembler open(Session session) throws IOException {
        ArchiveAssembler assembler = new ArchiveAssembler(session, store, staging.session(session.meta().id()), config.inbox(),
                new UnpackOptions(true, config.onConflict(session.meta()), config.policy()), content, pool);
        session.addListener(assembler);
        bySession.put(session.meta().id(), assembler);
        assembler.startOrResume();
        return assembler;
    }

    /** The assembler of an open archive session, or null (a raw session, or one already closed). */
    ArchiveAssembler get(String sessionId) {
        return bySession.get(sessionId);
    }

    /** Forgets the assembler of a session that was published, deleted or expired. */
    void remove(String sessionId) {
        bySession.remove(sessionId);
    }

    /** Ends the extraction of every session still open, when the receiver closes. */
    void closeAll(Iterable<Session> sessions) {
        for (Session session : sessions) {
            ArchiveAssembler assembler = bySession.remove(session.meta().id());
            if (assembler != null) {
                assembler.closed(session);
            }
        }
    }
}
