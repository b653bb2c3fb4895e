package io.caravan.receiver;

import io.caravan.catalog.ParcelCatalog;
import io.caravan.dedup.ContentIndex;
import io.caravan.dedup.DedupIndex;
import io.caravan.dedup.IndexStore;
import io.caravan.fs.Versions;
import io.caravan.session.DiskSessionStore;
import io.caravan.session.SessionStore;
import io.caravan.session.Session;
import io.caravan.sync.Mirrors;
import io.caravan.unpack.Publisher;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Service;

/**
 * The receiving end over one inbox, free of HTTP: builds its parts ({@link Sessions},
 * {@link ParcelPublishing}, {@link ContentChecks}, {@link MirrorUpdates}) over one session store and
 * content index (a {@link DedupIndex} over the index store it is given), resumes the extraction of the archive sessions a restart found, and closes them.
 * Before anything is created or deleted in its state folder, {@link ReceiverStateFolder} checks that folder
 * and the ones kept in it: a link planted as one of them stops the start.
 */
public final class Receiver implements Service {

    /** How long no chunk may have arrived before published files are hashed for the dedup index. */
    private static final Duration INDEXING_QUIET = Duration.ofSeconds(1);

    private final ReceiverConfig config;
    private final SessionStore store;
    private final ContentIndex dedup;
    private final ReceiverThreads threads;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ExtractionWarmUp warmUp;
    private final StagingFolder staging;
    private final ExtractionPool.Queued warmUpQueued;
    private final ReceiverMetrics metrics;
    private final Assemblers assemblers;
    private final Sessions sessions;
    private final ParcelPublishing publishing;
    private final ContentChecks contentChecks;
    private final MirrorUpdates mirrorUpdates;

    /** A receiver on plain threads of its own, which {@link #close} stops (for use without Camel). */
    public Receiver(ReceiverConfig config, MeterRegistry registry, Clock clock) throws IOException {
        this(config, registry, clock, ReceiverThreads.plain(ReceiverThreads.DEFAULT_EXTRACT_THREADS));
    }

    /** A receiver extracting and indexing on {@code threads} (Camel's pools when built by the application). */
    public Receiver(ReceiverConfig config, MeterRegistry registry, Clock clock, ReceiverThreads threads) throws IOException {
        this(config, registry, clock, threads, new DiskSessionStore(ReceiverStateFolder.checked(config), config.sessionTtl(),
                config.limits(), clock, config.durability()));
    }

    /** A receiver over {@code store}, its content index in {@code dedup.jsonl} in its state folder. */
    public Receiver(ReceiverConfig config, MeterRegistry registry, Clock clock, ReceiverThreads threads, SessionStore store)
            throws IOException {
        this(config, registry, clock, threads, store, config.ownContentIndex());
    }

    /**
     * A receiver over {@code store} (the disk store in its state folder, or one shared with other nodes),
     * which {@link #close} closes, keeping its content index in {@code index} (its own, or shared with the
     * other nodes).
     */
    public Receiver(ReceiverConfig config, MeterRegistry registry, Clock clock, ReceiverThreads threads, SessionStore store,
                    IndexStore index) throws IOException {
        this.config = config;
        this.threads = threads;
        Files.createDirectories(config.inbox());
        ReceiverStateFolder.check(config);
        Versions versions = Versions.inDestination(config.inbox(), config.keepVersions(), clock);
        Mirrors mirrors = new Mirrors(config.inbox(), versions);
        this.store = store;
        this.dedup = new DedupIndex(config.inbox(), index, store.activity().idleAfter(INDEXING_QUIET), threads.indexing());
        this.metrics = new ReceiverMetrics(registry, () -> store.sessions().size());
        this.contentChecks = new ContentChecks(dedup, config.dedupMinSize());
        this.staging = new StagingFolder(config);
        this.assemblers = new Assemblers(config, staging, store, contentChecks.hooks(), threads.extraction());
        this.sessions = new Sessions(config, store, assemblers, versions, metrics);
        this.publishing = new ParcelPublishing(config, staging, store, sessions, assemblers, new Publisher(config.inbox(), versions),
                mirrors, dedup, metrics);
        this.mirrorUpdates = new MirrorUpdates(mirrors, dedup);
        // what a crash of the process left of open sessions' extractions stays: each resumes from its checkpoint, if it
        // has one; after a reboot over unforced chunks, what the extractions wrote unforced may be torn and goes too
        java.util.Set<String> resumable = new java.util.HashSet<>();
        if (!store.startedAfterReboot()) {
            store.sessions().forEach(session -> resumable.addAll(ExtractionSetup.stagingNames(session.meta().id())));
        }
        ReceiverStateFolder.emptyStaging(config, resumable);
        this.warmUp = new ExtractionWarmUp(staging.root());
        this.warmUpQueued = threads.extraction().submit(warmUp);
        for (Session session : store.sessions()) {
            assemblers.open(session);
        }
    }

    public ReceiverConfig config() {
        return config;
    }

    public Sessions sessions() {
        return sessions;
    }

    public ParcelPublishing publishing() {
        return publishing;
    }

    public ContentChecks contentChecks() {
        return contentChecks;
    }

    public MirrorUpdates mirrorUpdates() {
        return mirrorUpdates;
    }

    /** Records every publish from now on in {@code catalog} (the read side's list of published parcels). */
    public void catalog(ParcelCatalog catalog) {
        publishing.catalog(catalog);
        mirrorUpdates.catalog(catalog);
    }

    /** Chunk bytes stored since this receiver started (a counter: the console's throughput is its rate). */
    public long bytesReceived() {
        return metrics.bytesReceived();
    }

    /** Counts a refused request by its {@code error} code. */
    public void rejected(String reason) {
        metrics.rejected(reason);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (!warmUpQueued.cancel()) {
            warmUp.awaitDone(Duration.ofSeconds(10)); // it started: let it remove its folder before the pools stop
        }
        dedup.close();
        assemblers.closeAll(store.sessions());
        threads.close();
        staging.close();
        if (store instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the session store: " + e.getMessage(), e);
            }
        }
    }

    public SessionStore store() {
        return store;
    }

    /** Nothing to start: the constructor opened the store and resumed the open archive sessions. */
    @Override
    public void start() {
    }

    /** Camel stops the receiver with its context (routes first): the same as {@link #close}. */
    @Override
    public void stop() {
        close();
    }
}
