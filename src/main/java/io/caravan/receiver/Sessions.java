package io.caravan.receiver;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.UnsafePathException;
import io.caravan.fs.Versions;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.session.ChunkWrite;
import io.caravan.session.SessionStore;
import io.caravan.session.RequestRejectedException;
import io.caravan.session.Session;
import io.caravan.session.SessionMeta;
import io.caravan.session.SessionNotFoundException;
import io.caravan.unpack.Publisher;
import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload sessions of a receiver: start, chunk uploads, status, delete and expiry. Every chunk
 * it acknowledges is stored in the session store (and so read by the session's assembler, for an
 * archive) before the call returns; a session it refuses leaves nothing behind.
 */
public final class Sessions {

    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final ReceiverConfig config;
    private final SessionStore store;
    private final Assemblers assemblers;
    private final Versions versions;
    private final ReceiverMetrics metrics;
    /** The inbox as publishes see it: whether a name is a folder there, reached without following links. */
    private final Publisher inbox;
    /** Told the session id between a request's look for its result and its lookup of the session (nothing by default). */
    private volatile Consumer<String> beforeLookup = sid -> { };

    Sessions(ReceiverConfig config, SessionStore store, Assemblers assemblers, Versions versions, ReceiverMetrics metrics) {
        this.config = config;
        this.store = store;
        this.assemblers = assemblers;
        this.versions = versions;
        this.metrics = metrics;
        this.inbox = new Publisher(config.inbox(), versions);
    }

    /** {@code POST /start}: no options start a raw session; options with a codec an archive session. */
    public SessionStarted start(StartRequest options) throws IOException {
        String name = ParcelNames.check(options.name());
        String codec = options.codec() == null ? null : Codecs.byName(options.codec()).name();
        String kind = Optional.ofNullable(options.kind()).orElse(codec != null ? SessionMeta.ARCHIVE : SessionMeta.RAW);
        if (!kind.equals(SessionMeta.RAW) && !kind.equals(SessionMeta.ARCHIVE)) {
            throw RequestRejectedException.badRequest("kind must be raw or archive, not '" + kind + "'");
        }
        Long chunkSize = options.chunkSize();
        if (chunkSize != null && (chunkSize < 1 || chunkSize > config.limits().maxChunkSize())) {
            throw RequestRejectedException.badRequest("chunk_size " + chunkSize + " must be between 1 and "
                    + config.limits().maxChunkSize() + " bytes");
        }
        String onConflict = PublishOptions.checkedOnConflict(options.onConflict(), config.onConflict());
        String mode = mode(options.mode(), kind, name);
        // "into an existing folder" is decided now, once: a folder that appears under the name later (this
        // parcel's own publish, when a crash lost the finish's answer and the finish is sent again) is replaced
        boolean into = Boolean.TRUE.equals(options.into()) && name != null && !name.endsWith("/")
                && inbox.isFolder(name);
        Session session = store.create(name, kind, codec, chunkSize, onConflict, mode, into, options.force(),
                options.size());
        try {
            assemblers.open(session);
        } catch (IOException | RuntimeException e) {
            store.remove(session, null); // no staging folder for it (a link as the staging folder): no session
            throw e;
        }
        LOG.info("session {} started: {} parcel '{}'{}, expires {}", session.id(), kind,
                name == null ? session.id() : name, codec == null ? "" : " (" + codec + ")", session.meta().expiresAt());
        return new SessionStarted(session.id().value(), session.meta().expiresAt(),
                fullChunk(session),
                config.limits().maxChunkSize());
    }

    /** {@code mode}: absent, or {@code apply} for an archive parcel applied onto the mirror {@code name}. */
    private static String mode(String mode, String kind, String name) {
        if (mode == null || mode.equals("publish")) {
            return null;
        }
        if (!mode.equals(SessionMeta.APPLY) || !kind.equals(SessionMeta.ARCHIVE) || name == null) {
            throw RequestRejectedException.badRequest("mode must be publish, or apply with kind archive and the mirror's"
                    + " name, not '" + mode + "'");
        }
        return mode;
    }

    /**
     * {@code PUT /upload/{sid}/{idx}}: stores the chunk (its body may be kept for the extraction). A
     * chunk of an archive whose extraction refused an entry is refused at once, not after the whole
     * transfer, unless it replaces a chunk the refused extraction read.
     */
    public ChunkWrite upload(ChunkUpload chunk) throws IOException {
        Session session = chunk.headAt() == null ? store.get(chunk.sessionId()) : store.get(chunk.sessionId(), chunk.headAt());
        ArchiveAssembler assembler = assemblers.get(session.meta().id());
        boolean refused = assembler != null && assembler.refused();
        if (refused) {
            assembler.throwIfRefused(chunk.index());
        }
        // an archive's next chunk goes straight to its extraction, unwritten, once a checkpoint lies past it
        ChunkWrite write = assembler == null || refused ? null
                : assembler.direct(chunk.index(), chunk.body(), chunk.sha256(), fullChunk(session));
        if (write == null) {
            write = store.write(session, chunk.index(), chunk.body(), chunk.sha256());
        } else {
            store.renew(session); // taken from its request body, not written: it renews the session all the same
        }
        if (write.outcome() != ChunkWrite.Outcome.IDENTICAL) {
            metrics.chunk(write.chunk().size());
        }
        if (refused) {
            assembler.throwIfRefused(-1);
        }
        return write;
    }

    /** The size of a session's chunks but its last, as its start answered it. */
    private long fullChunk(Session session) {
        return fullChunk(session.meta(), config);
    }

    /** The size of the chunks but the last of a session with {@code meta}, as its start answered it. */
    static long fullChunk(SessionMeta meta, ReceiverConfig config) {
        Long chunkSize = meta.chunkSize();
        return chunkSize != null ? chunkSize : Math.min(PackOptions.DEFAULT_CHUNK_SIZE, config.limits().maxChunkSize());
    }

    /** The most chunks of an open session whose status is made whole before it is answered; more are written as sent. */
    public static final int LISTED_STATUS_FROM = 1_000;

    /**
     * {@code GET /status/{sid}}: the chunks an open session holds, or, once it was published (until
     * the cleanup removes its result, a session lifetime after the publish, and while the publish removes
     * the session), the publish result, so a sender that stopped before it saw the answer need not send again.
     * An open session of more than {@link #LISTED_STATUS_FROM} chunks is a {@link SessionStatus.Listed}, written
     * while it is sent.
     */
    public SessionStatus status(String sid) throws IOException {
        Found found = find(sid);
        if (found.published() != null) {
            return new SessionStatus.Finished(sid, found.published());
        }
        Session session = found.open();
        if (session.chunkCount() > LISTED_STATUS_FROM) {
            return new SessionStatus.Listed(session);
        }
        Map<String, String> chunks = new LinkedHashMap<>();
        session.chunks().forEach((i, c) -> chunks.put(String.valueOf(i), c.sha256()));
        return new SessionStatus.Open(session.id().value(), session.meta().kind(), List.copyOf(session.chunks().keySet()),
                chunks, session.bytes(), session.meta().expiresAt());
    }

    /**
     * Has {@code pause} told the session id by every finish and status between its look for the session's
     * result and its lookup of the session, on the request's thread: a test holds one there to let a finish
     * publish the session first.
     */
    void beforeLookup(Consumer<String> pause) {
        this.beforeLookup = pause;
    }

    /** Session {@code sid} as a finish or a status finds it: published (its result) or open (the session). */
    record Found(Published published, Session open) {
    }

    /**
     * What became of session {@code sid}: its finish's result, or else the open session. A finish that
     * publishes it (here or on another node sharing the store) between the two looks removes it, and the
     * store keeps its result before it is gone: a session found gone is looked for among the results again.
     *
     * @throws io.caravan.session.SessionNotFoundException (404) when it is neither published nor open
     * @throws io.caravan.session.SessionExpiredException (410) when it expired
     */
    Found find(String sid) throws IOException {
        Optional<Published> done = finished(sid);
        if (done.isPresent()) {
            return new Found(done.get(), null);
        }
        beforeLookup.accept(sid);
        try {
            return new Found(null, store.get(sid));
        } catch (SessionNotFoundException gone) {
            return new Found(finished(sid).orElseThrow(() -> gone), null);
        }
    }

    /** How far each open session got, oldest first (for the console's live list). */
    public List<SessionProgress> progress() {
        return store.sessions().stream()
                .map(s -> new SessionProgress(s.id().value(), s.meta().name(), s.meta().kind(), s.meta().mode(),
                        Instant.parse(s.meta().createdAt()), s.chunks().size(), s.bytes(), s.meta().size()))
                .sorted(Comparator.comparing(SessionProgress::startedAt))
                .toList();
    }

    /** What the finish of session {@code sid} published, while the store keeps its result. */
    Optional<Published> finished(String sid) throws IOException {
        Optional<String> done = store.finishedResult(sid);
        return done.isEmpty() ? Optional.empty() : Optional.of(JSON.readValue(done.get(), Published.class));
    }

    /** Keeps {@code result} as what session {@code session} published, and ends the session. */
    void published(Session session, Published result) throws IOException {
        store.remove(session, JSON.writeValueAsString(result));
        assemblers.remove(session.meta().id());
    }

    /**
     * {@code DELETE /sessions/{sid}}: removes an open session and its chunks. It waits for a finish of the
     * session that is running (here or on another node sharing the store), and a session that a finish
     * published is refused with 409 {@code published} naming what it published: one of the two wins, never
     * both.
     *
     * @throws io.caravan.session.SessionNotFoundException (404) when it is neither published nor open
     */
    public void delete(String sid) throws IOException {
        Found found = find(sid);
        if (found.published() != null) {
            throw publishedAlready(sid, found.published());
        }
        Session session = found.open();
        store.exclusively(sid, names -> {
            synchronized (session) { // as a finish holds it while it publishes
                Optional<Published> done = finished(sid);
                if (done.isPresent()) {
                    throw publishedAlready(sid, done.get());
                }
                store.remove(store.get(sid), null);
                assemblers.remove(sid);
                return null;
            }
        });
        LOG.info("session {} deleted by the sender", sid);
    }

    private static RequestRejectedException publishedAlready(String sid, Published published) {
        return new RequestRejectedException(409, "published", "session " + sid + " was published as '" + published.path()
                + "' by its finish; nothing was deleted (a published parcel is replaced by a new send, or removed from the inbox)",
                Map.of("path", published.path()));
    }

    /**
     * Deletes expired sessions and the versions kept past their time; the Quartz cleanup route calls this.
     * A versions folder found to be a link (or a file) is left alone with a warning naming it, and the
     * expired sessions are deleted all the same.
     */
    public List<String> cleanup() throws IOException {
        try {
            versions.cleanup();
        } catch (UnsafePathException e) {
            LOG.warn("cleanup: no versions removed: {}", e.getMessage());
        }
        List<String> removed = store.expire();
        removed.forEach(assemblers::remove);
        LOG.info("cleanup: {} expired session{} removed{}", removed.size(), removed.size() == 1 ? "" : "s",
                removed.isEmpty() ? "" : " " + removed);
        return removed;
    }
}
