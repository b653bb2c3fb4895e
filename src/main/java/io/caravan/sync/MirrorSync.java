package io.caravan.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.bandwidth.TokenBucket;
import io.caravan.fs.NameRules;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.Retry;
import io.caravan.sender.ReceiverClient;
import io.caravan.util.DataSize;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import io.caravan.util.Failures;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pass of mirroring: scan the local tree while the mirror is listed, leave out the names a receiver
 * refuses on both sides ({@link ListedTree#named}: said once as {@code Refused: path: why}, not a
 * failure; never deleted from the mirror), plan ({@link SyncPlanner}:
 * filter and diff), check the {@link SyncGuards} (a refused pass changes nothing), then renames and
 * deletions on the mirror, new and changed entries as parcels on {@code workers} threads (their
 * chunks taking turns for the heap the {@link MirrorParcels} share), and folder metadata last; a dry run only prints the plan ({@link DryRunReport}). A failed parcel is
 * reported and counted, the others go on; the next pass finds its entries different again and
 * resumes its session. A receiver that cannot be reached fails the pass with a
 * {@link io.caravan.sender.ShipException}.
 */
public final class MirrorSync {

    /** What a pass did; {@code failures} holds one message per failed parcel (or why a dry run's pass would be refused, counted as one). */
    public record Outcome(long synced, long failed, long skipped, List<String> failures) {
        public boolean ok() {
            return failed == 0;
        }
    }

    private final SyncSettings settings;
    private final ReceiverClient client;
    private final MirrorParcels parcels;
    private final SyncConsole console;
    private final MirrorChangeSender changes;
    private volatile PathFilter filter = PathFilter.NONE;
    /** Where parcels are shipped, {@code workers} at once; null: a pool of its own for each pass. */
    private final ExecutorService workers;

    public MirrorSync(SyncSettings settings, SyncConsole console) throws IOException {
        this(settings, console, null);
    }

    /** A mirror shipping its parcels on {@code workers} (a service's pool of {@code settings.workers()} threads, stopped by its owner). */
    public MirrorSync(SyncSettings settings, SyncConsole console, ExecutorService workers) throws IOException {
        this.settings = settings;
        this.workers = workers;
        this.client = new ReceiverClient(settings.url(), settings.token(), java.time.Duration.ofMinutes(5), settings.ssl());
        this.parcels = new MirrorParcels(settings, client);
        this.console = console;
        this.changes = new MirrorChangeSender(settings.name(), client, console);
    }

    /** The parcels and changes this mirror sends share {@code limit} (one bandwidth limit for the process). */
    public void limit(TokenBucket limit) {
        client.limit(limit);
    }

    public MirrorParcels parcels() {
        return parcels;
    }

    /** The entries the last scan left out because their names are not valid UTF-8. */
    private final List<String> unreadable = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * One pass; {@code verbose} prints the counts and progress (first pass, {@code --once}),
     * otherwise one line per change. {@code forced}/{@code excluded} as in {@link TreeDiff#plan}. A pass
     * that runs out of memory or of stack, here or in a worker, ends with a {@link PassExhaustedException}
     * saying what to give it: the same pass would run out again in a JVM that just did.
     */
    public Outcome pass(boolean verbose, Set<String> forced, Set<String> excluded) throws IOException {
        try {
            return passOnce(verbose, forced, excluded);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw PassExhaustedException.pushing(e, settings.root().toString(), settings.url(), settings.name());
        }
    }

    private Outcome passOnce(boolean verbose, Set<String> forced, Set<String> excluded) throws IOException {
        long started = System.nanoTime();
        if (verbose) {
            console.line("Starting " + SyncConsole.label(settings.mode()).toLowerCase(java.util.Locale.ROOT) + " sync"
                    + (settings.mode() == SyncMode.FULL ? "" : settings.checksum() ? " (checksum compare)" : " (diff compare)")
                    + " from " + settings.root() + " to " + settings.url() + " mirror '" + settings.name() + "'"
                    + (settings.dryRun() ? " (dry run: nothing will be changed)" : ""));
            console.line("Scanning files...");
        }
        SyncPlanner.Planned planned = plan(forced, excluded);
        SyncPlan plan = planned.plan();
        if (verbose) {
            console.line("Found " + plan.checked() + " files to " + (settings.mode() == SyncMode.FULL ? "sync" : "check"));
            console.line(plan.work() + " files need synchronization");
        }
        if (settings.dryRun()) {
            return dryRun(planned);
        }
        settings.guards().check(settings.root().toString(), settings.name(), planned);
        List<SyncEntry> send = new ArrayList<>(plan.send());
        List<String> created = new ArrayList<>(plan.created());
        long done = changes.apply(plan, planned.source(), send, created, !verbose);
        Progress progress = new Progress(plan.work(), done, verbose);
        List<String> failures = new ArrayList<>();
        List<List<SyncEntry>> batches = ParcelBatcher.DEFAULT.batches(send);
        if (verbose) {
            memoryLine(batches);
        }
        // a single parcel takes the folders along (the receiver sets folder mtimes after placing the files);
        // with several in parallel, folders go last on their own, after every file has landed. A large
        // file's parcel never takes them: it stays the same parcel, resumable, whatever else changed
        List<SyncEntry> along = batches.size() == 1 && !ParcelBatcher.DEFAULT.alone(batches.get(0)) ? plan.dirs() : List.of();
        parcels.forgetAllBut(parcelIds(batches, along, plan.dirs()));
        long failed = shipAll(batches, along, created, progress, verbose, failures);
        for (String name : unreadable) {
            failures.add(name + ": the name is not valid UTF-8, so it cannot be read by name; rename it (convmv -f <charset>"
                    + " -t utf-8) and it is synced on the next pass");
            failed++;
        }
        if (!plan.dirs().isEmpty() && along.isEmpty()) {
            try {
                parcels.ship(plan.dirs(), ProgressListener.NONE);
            } catch (IOException e) {
                failures.add("folders: " + e.getMessage());
            }
        }
        failures.forEach(f -> console.notice("Failed: " + NameRules.printable(f)));
        Outcome outcome = new Outcome(progress.done.get(), failed, plan.unchanged(), failures);
        if (verbose) {
            console.results(settings.mode(), outcome.synced(), outcome.failed(), outcome.skipped(), System.nanoTime() - started);
        }
        return outcome;
    }

    /** Says how many large files are packed at once when memory allows fewer than the workers and the pass has more. */
    private void memoryLine(List<List<SyncEntry>> batches) {
        int atOnce = parcels.memory().atOnce(parcels.largestReservation());
        long large = batches.stream().filter(ParcelBatcher.DEFAULT::alone).count();
        if (atOnce < settings.workers() && large > atOnce) {
            console.line("Memory: " + settings.workers() + " workers, large files " + atOnce + " at a time (their chunks take"
                    + " turns for " + DataSize.format(parcels.memory().budget()) + " of the heap; JAVA_OPTS=-Xmx..."
                    + " gives more)");
        }
    }

    /** Lists the mirror while the local tree is scanned, then filters, diffs and plans. */
    private SyncPlanner.Planned plan(Set<String> forced, Set<String> excluded) throws IOException {
        CompletableFuture<Map<String, SyncEntry>> listing = CompletableFuture.supplyAsync(() -> Retry.MIRROR.call(
                "listing of mirror " + settings.name(), () -> client.mirror(settings.name(), settings.checksum())));
        PathFilter filter = scanFilter();
        unreadable.clear();
        Map<String, SyncEntry> local = ListedTree.named(scan(filter), this::refused);
        // a name the rules refuse that the mirror holds (published before they were checked below the top) is left alone
        Map<String, SyncEntry> remote = ListedTree.named(awaitListing(listing), (path, why) -> { });
        Set<String> leftAlone = new HashSet<>(excluded);
        leftAlone.addAll(unreadable); // never deleted on the receiver for a name that cannot be read here
        return new SyncPlanner(new TreeDiff(settings.mode(), settings.checksum(), this::sha256, true), filter)
                .plan(local, remote, forced, leftAlone);
    }

    /** Source entries left out for their names, each said once ({@code path + "\n" + why}). */
    private final Set<String> refusedSaid = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Says once that the source entry {@code path} is left out: the receiver would refuse its name ({@code why}). */
    private void refused(String path, String why) {
        if (refusedSaid.add(path + "\n" + why)) {
            console.notice("Refused: " + NameRules.printable(path) + ": " + why);
        }
    }

    /** Which paths a pass leaves out: the settings' rules, then the root's .caravanignore (read at every pass). */
    public PathFilter filter() {
        return filter;
    }

    private PathFilter scanFilter() throws IOException {
        try {
            filter = PathFilter.load(settings.root(), settings.rules()).withSafeLinks(settings.safeLinks());
            return filter;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(settings.root().resolve(PathFilter.IGNORE_FILE) + " is not UTF-8 text", e);
        }
    }

    /** The local tree; a tree that cannot be read completely refuses the pass (a partial listing would delete what it missed). */
    private Map<String, SyncEntry> scan(PathFilter filter) throws IOException {
        try {
            Map<String, SyncEntry> tree = TreeScanner.scan(settings.root(), filter, unreadable::add);
            // a parcel carries a folder's permissions, not its sticky bit: compared without it, or every pass sends the folder again
            tree.replaceAll((path, e) -> e.type() == SyncEntry.Type.DIR && e.mode() != (e.mode() & 0777)
                    ? new SyncEntry(e.path(), e.type(), e.size(), e.mtime(), e.mode() & 0777, e.target(), e.sha256()) : e);
            return tree;
        } catch (IOException e) {
            throw new SourceUnreadableException(settings.root(), settings.name(), e);
        }
    }

    private Outcome dryRun(SyncPlanner.Planned planned) {
        DryRunReport.print(planned, "on the receiver", console);
        try {
            settings.guards().check(settings.root().toString(), settings.name(), planned);
            return new Outcome(0, 0, planned.plan().unchanged(), List.of());
        } catch (PassRefusedException e) {
            console.notice("This pass would be refused: " + e.getMessage());
            return new Outcome(0, 1, planned.plan().unchanged(), List.of(e.getMessage()));
        }
    }

    private long shipAll(List<List<SyncEntry>> batches, List<SyncEntry> along, List<String> created, Progress progress,
                         boolean verbose, List<String> failures) throws IOException {
        ExecutorService pool = workers != null ? workers : Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "caravan-sync-parcel");
            t.setDaemon(true);
            return t;
        });
        long failed = 0;
        List<Future<String>> results = new ArrayList<>();
        try {
            for (List<SyncEntry> batch : batches) {
                results.add(pool.submit(() -> shipWithRetry(batch, along, created, progress, verbose)));
            }
            for (int i = 0; i < results.size(); i++) {
                String failure = results.get(i).get();
                if (failure != null) {
                    failed += batches.get(i).size();
                    failures.add(failure);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("sync interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof OutOfMemoryError || e.getCause() instanceof StackOverflowError) {
                throw (Error) e.getCause(); // the pass's, not an I/O failure: see pass
            }
            throw new IOException(e.getCause());
        } finally {
            if (pool == workers) {
                results.forEach(result -> result.cancel(true));
            } else {
                pool.shutdownNow();
            }
        }
        return failed;
    }

    /**
     * Ships a batch (with {@code along}, folders whose metadata rides in the same parcel); on failure
     * once more without entries that vanished meanwhile. Returns a failure message or null.
     */
    private String shipWithRetry(List<SyncEntry> batch, List<SyncEntry> along, List<String> created, Progress progress,
                                 boolean verbose) {
        try {
            long resumed = parcels.ship(with(batch, along), new LargeFileProgress(batch, console));
            if (resumed > 0) {
                console.line("Resumed " + describe(batch) + ": " + resumed + " chunks were already on the receiver");
            }
        } catch (IOException first) {
            List<SyncEntry> still = existing(batch);
            List<SyncEntry> stillAlong = existing(along);
            try {
                if (still.size() == batch.size() && stillAlong.size() == along.size() || still.isEmpty()) {
                    return describe(batch) + ": " + first.getMessage();
                }
                parcels.ship(with(still, stillAlong), ProgressListener.NONE);
            } catch (IOException | UncheckedIOException second) {
                return describe(batch) + ": " + second.getMessage();
            }
        }
        for (SyncEntry entry : batch) {
            if (!verbose) {
                console.line((created.contains(entry.path()) ? "Created: " : "Modified: ") + entry.path());
            }
        }
        progress.add(batch.size());
        return null;
    }

    /** The ids of the parcels this pass ships: the journal's other sessions of this mirror can go. */
    private static Set<String> parcelIds(List<List<SyncEntry>> batches, List<SyncEntry> along, List<SyncEntry> dirs) {
        Set<String> ids = new HashSet<>();
        batches.forEach(batch -> ids.add(MirrorParcels.parcelId(with(batch, along))));
        if (!dirs.isEmpty() && along.isEmpty()) {
            ids.add(MirrorParcels.parcelId(dirs));
        }
        return ids;
    }

    private List<SyncEntry> existing(List<SyncEntry> entries) {
        return entries.stream().filter(e -> Files.exists(settings.root().resolve(e.path()), LinkOption.NOFOLLOW_LINKS)).toList();
    }

    private static List<SyncEntry> with(List<SyncEntry> batch, List<SyncEntry> along) {
        if (along.isEmpty()) {
            return batch;
        }
        List<SyncEntry> all = new ArrayList<>(batch);
        all.addAll(along);
        return all;
    }

    private static String describe(List<SyncEntry> batch) {
        return batch.size() == 1 ? batch.get(0).path() : batch.size() + " entries from " + batch.get(0).path();
    }

    private String sha256(SyncEntry entry) {
        try {
            return TreeScanner.sha256(settings.root(), entry.path());
        } catch (IOException e) {
            return null; // unreadable or gone: treated as different
        }
    }

    /** Counts work done and prints {@code Incremental sync: k/M (x%)} at most every 10% (and at the end). */
    private final class Progress {
        final AtomicLong done;
        final long total;
        final boolean verbose;
        long lastStep = -1;

        Progress(long total, long done, boolean verbose) {
            this.total = total;
            this.done = new AtomicLong(done);
            this.verbose = verbose;
        }

        synchronized void add(long n) {
            long now = done.addAndGet(n);
            long step = total == 0 ? 10 : now * 10 / total;
            if (verbose && step != lastStep) {
                lastStep = step;
                console.progress(settings.mode(), now, total);
            }
        }
    }

    private static <T> T awaitListing(CompletableFuture<T> listing) throws IOException {
        try {
            return listing.join();
        } catch (CompletionException e) {
            Failures.rethrow(e.getCause());
            throw e;
        }
    }
}
