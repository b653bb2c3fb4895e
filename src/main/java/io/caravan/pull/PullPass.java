package io.caravan.pull;

import io.caravan.download.CatalogClient;
import io.caravan.download.ParcelDownload;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.fs.UnsafePathException;
import io.caravan.fs.Versions;
import io.caravan.pack.DecoderMemory;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.Retry;
import io.caravan.unpack.ExpansionLimitException;
import io.caravan.unpack.OnConflict;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pull pass: lists the remote catalog under a prefix, a page at a time (at most
 * {@link CatalogClient#maxListed} parcels a pass, a listing that does not move forward ends it, both
 * logged), and fetches, with {@link ParcelDownload},
 * every parcel whose etag differs from the one {@link PullState} recorded, into the same name below the
 * local inbox (replacing the older state). A parcel is recorded only once it is published, so a
 * failed or interrupted fetch is tried again by the next pass, reusing the verified chunks kept in
 * {@code <inbox>/.caravan/pull/chunks/}. A parcel published whose record could not be written is
 * remembered by this pass object (at most {@link #UNRECORDED} of them) and not fetched again while its
 * etag stays the same; its record is tried again at each pass. A parcel refused for what it is
 * ({@link FailureKinds}: a name or link that escapes, more than its manifest declares, a stream beyond the
 * decoder-memory or expansion limit, a chunk damaged at two passes in a row) is logged once and recorded
 * as a {@link Refusal}: it is not fetched again while the catalog lists the same etag for it (and, for a
 * limit, while the limits stay the same); a failure that may pass (the network, a timeout, a 5xx, the local
 * disk) is logged and tried again at the next pass. A pass that runs out of memory or stack
 * ends with one line in the log, what it published kept. Passes never overlap.
 */
public final class PullPass {

    private static final Logger LOG = LoggerFactory.getLogger(PullPass.class);

    /**
     * Where to pull from and into, and how; {@code maxExpansion} is {@code caravan get}'s {@code --max-expansion}
     * (unpacked bytes per compressed byte a parcel may reach once it has unpacked 64 MiB, 0 for no limit);
     * {@code decoderMemory} what a parcel's decoder may hold for its dictionary or window (the receiver's).
     */
    public record Settings(CatalogClient client, String prefix, Path inbox, int parallel, long minFreeSpace,
                           Versions versions, Retry retry, long maxExpansion, DecoderMemory decoderMemory) {

        public Settings {
            if (maxExpansion < 0) {
                throw new IllegalArgumentException("the expansion limit must be 0 or more (0: no limit), not " + maxExpansion);
            }
        }

        /** Settings whose decoder may hold half the heap. */
        public Settings(CatalogClient client, String prefix, Path inbox, int parallel, long minFreeSpace,
                        Versions versions, Retry retry, long maxExpansion) {
            this(client, prefix, inbox, parallel, minFreeSpace, versions, retry, maxExpansion, DecoderMemory.ONE_OF_HEAP);
        }

        /** Settings with {@code caravan get}'s expansion limit ({@link ParcelDownload#DEFAULT_MAX_EXPANSION}). */
        public Settings(CatalogClient client, String prefix, Path inbox, int parallel, long minFreeSpace,
                        Versions versions, Retry retry) {
            this(client, prefix, inbox, parallel, minFreeSpace, versions, retry, ParcelDownload.DEFAULT_MAX_EXPANSION);
        }
    }

    /** The most parcels remembered as published but not recorded (the oldest forgotten first). */
    static final int UNRECORDED = 1000;

    private final Settings settings;
    private final Path pullDir;
    private final Clock clock;
    /** Parcels published whose record could not be written, name to etag. */
    private final Map<String, String> unrecorded = lastOf(UNRECORDED);
    /** Parcels a chunk of which did not match its SHA-256 at the last pass that fetched them, name to etag. */
    private final Map<String, String> damaged = lastOf(UNRECORDED);

    public PullPass(Settings settings, Clock clock) {
        this.settings = settings;
        this.pullDir = settings.inbox().toAbsolutePath().normalize().resolve(NameRules.RESERVED_PREFIX).resolve("pull");
        this.clock = clock;
    }

    /**
     * Runs one pass; returns how many parcels it published. A parcel that fails is logged and left for the next
     * pass; a pass that runs out of memory or stack is logged in one line and ends (returning 0).
     */
    public synchronized int run() throws IOException {
        java.nio.file.Files.createDirectories(settings.inbox());
        try (ConfinedDir root = ConfinedDir.open(settings.inbox()); ConfinedDir own = pullFolder(root)) {
            return run(PullState.load(own));
        } catch (OutOfMemoryError | StackOverflowError e) {
            LOG.error("pull: the pass from {} ran out of {} and ended there; what it published is kept, the next pass"
                    + " goes on from there. Give the receiver a larger {} or pull narrower prefixes (caravan.pull.prefix)",
                    settings.client().url(), e instanceof StackOverflowError ? "stack" : "memory ("
                    + e.getMessage() + ")", e instanceof StackOverflowError ? "stack (JAVA_OPTS=-Xss16m)" : "heap (JAVA_OPTS=-Xmx2g)");
            return 0;
        }
    }

    /** A map of the {@code most} entries put last, the oldest forgotten first. */
    private static Map<String, String> lastOf(int most) {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > most;
            }
        };
    }

    /** The pull folder, opened (and created) below the inbox without following a link planted on the way. */
    private static ConfinedDir pullFolder(ConfinedDir inbox) throws IOException {
        try {
            return inbox.openDirs(NameRules.RESERVED_PREFIX + "/pull");
        } catch (UnsafePathException e) {
            throw new IOException("pull: cannot keep its state: " + e.getMessage()
                    + "; remove it, and Caravan creates its own folder there on the next pass", e);
        }
    }

    private int run(PullState state) throws IOException {
        String url = settings.client().url();
        CatalogClient.Listing listing = settings.client().listing(settings.prefix());
        int fetched = 0;
        int failed = 0;
        int held = 0;
        String limits = "max-expansion " + settings.maxExpansion() + ", decoder memory " + settings.decoderMemory().bytes();
        // page by page: a page's parcels are fetched before the next page is asked for
        for (List<CatalogClient.RemoteParcel> page; (page = listing.nextPage()) != null; ) {
            for (CatalogClient.RemoteParcel parcel : page) {
                if (!parcel.name().startsWith(settings.prefix())) {
                    // the remote is asked for names under the prefix only: one it lists beside them is not followed
                    LOG.warn("pull: {} listed '{}', which is not under the prefix '{}': skipped", url,
                            NameRules.printable(parcel.name()), settings.prefix());
                    continue;
                }
                if (parcel.etag().equals(state.etag(parcel.name()))) {
                    unrecorded.remove(parcel.name());
                    continue;
                }
                if (parcel.etag().equals(unrecorded.get(parcel.name()))) {
                    record(state, url, parcel); // published already: only its record is tried again
                    continue;
                }
                Refusal refusal = state.refusal(parcel.name());
                if (refusal != null && refusal.holds(parcel.etag(), limits)) {
                    held++; // said when it was refused
                    continue;
                }
                try {
                    fetch(parcel.name());
                    fetched++;
                    damaged.remove(parcel.name());
                    LOG.info("pull: fetched '{}' from {}", NameRules.printable(parcel.name()), url);
                    String notRecorded = record(state, url, parcel);
                    if (notRecorded != null) {
                        unrecorded.put(parcel.name(), parcel.etag());
                        LOG.warn("pull: cannot record '{}' as fetched in {} ({}): it is not fetched again while its etag"
                                + " stays the same and this receiver runs, and its record is tried again at each pass",
                                NameRules.printable(parcel.name()), pullDir, notRecorded);
                    }
                } catch (RuntimeException | IOException e) {
                    failed++;
                    held += failed(state, url, parcel, e, limits) ? 1 : 0;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("pull interrupted while fetching '" + parcel.name() + "'", e);
                }
            }
        }
        if (listing.refused() > CatalogClient.NAMED_REFUSALS) {
            LOG.warn("pull: {} entries of the listing of {} were refused in all (the first {} are named above)",
                    listing.refused(), url, CatalogClient.NAMED_REFUSALS);
        }
        if (listing.cutShort() != null) {
            LOG.warn("pull: {}; this pass ended there, the parcels listed before it were pulled", listing.cutShort());
        }
        state.passFinished(url, clock.instant(), fetched, failed, held);
        return fetched;
    }

    /**
     * Logs the failed fetch of {@code parcel}, and records it as refused when a later pass would meet the same
     * ({@link FailureKinds}); returns whether it was refused. A refusal is said once, with what lifts it.
     */
    private boolean failed(PullState state, String url, CatalogClient.RemoteParcel parcel, Exception e, String limits) {
        String name = NameRules.printable(parcel.name());
        String why = e instanceof ExpansionLimitException
                ? "it unpacks to more than " + settings.maxExpansion() + " bytes per compressed byte, the limit of"
                + " caravan.pull.max-expansion (0: no limit); nothing was kept (" + e.getMessage() + ")"
                : String.valueOf(e.getMessage());
        FailureKinds.Kind kind = FailureKinds.of(e);
        if (kind == FailureKinds.Kind.MAY_PASS) {
            damaged.remove(parcel.name()); // a damaged chunk counts twice only at two passes in a row
            LOG.warn("pull: cannot fetch '{}' from {}: {} (tried again on the next pass)", name, url, why);
            return false;
        }
        if (kind == FailureKinds.Kind.DAMAGED && !parcel.etag().equals(damaged.put(parcel.name(), parcel.etag()))) {
            LOG.warn("pull: cannot fetch '{}' from {}: {} (tried once more on the next pass: damaged again, it is refused)",
                    name, url, why);
            return false;
        }
        damaged.remove(parcel.name());
        boolean byLimits = kind == FailureKinds.Kind.REFUSED_BY_LIMITS;
        String notRecorded = null;
        try {
            state.refused(url, parcel.name(), new Refusal(parcel.etag(), why, byLimits ? limits : null));
        } catch (IOException | RuntimeException failure) {
            notRecorded = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        }
        LOG.warn("pull: cannot fetch '{}' from {}: {}. Refused: it is not fetched again until {} publishes a new state of it"
                        + " (its etag is {} now){}{}", name, url, why, url, parcel.etag(),
                byLimits ? ", or caravan.pull.max-expansion or caravan.receiver.decoder-memory change"
                        : "; ask the operator of " + url + " to publish it again as this receiver takes it",
                notRecorded == null ? "" : "; the refusal cannot be recorded in " + pullDir + " (" + notRecorded
                        + "), so it is tried again on the next pass");
        return notRecorded == null;
    }

    /** Records {@code parcel} as fetched; returns null, or why it could not be written. */
    private String record(PullState state, String url, CatalogClient.RemoteParcel parcel) {
        try {
            state.fetched(url, parcel.name(), parcel.etag());
            unrecorded.remove(parcel.name());
            return null;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    private void fetch(String name) throws IOException, InterruptedException {
        NameRules.check(name);
        List<String> segments = ConfinedDir.segments(name);
        String parent = String.join("/", segments.subList(0, segments.size() - 1));
        // the folders above the parcel are created without following any link planted in the inbox
        java.nio.file.Files.createDirectories(settings.inbox());
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        String chunkFolder = "chunks/" + Sha256.of(key, 0, key.length).substring(0, 32);
        try (ConfinedDir root = ConfinedDir.open(settings.inbox()); ConfinedDir ignored = root.openDirs(parent);
             ConfinedDir own = pullFolder(root); ConfinedDir alsoIgnored = own.openDirs(chunkFolder)) {
            // opened only to check and create them (the chunk folder too: a link planted as it is refused)
        }
        Path local = settings.inbox().toAbsolutePath().normalize().resolve(parent);
        Path chunks = pullDir.resolve(chunkFolder);
        new ParcelDownload(new ParcelDownload.Settings(settings.client(), name, local, chunks, settings.parallel(),
                OnConflict.REPLACE, true, false, settings.minFreeSpace(), settings.versions().under(parent), settings.retry(),
                settings.maxExpansion(), settings.decoderMemory()))
                .run(ProgressListener.NONE);
    }
}
