package io.caravan.sync;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.FreeSpaceFloor;
import io.caravan.fs.FsMessages;
import io.caravan.fs.NameRules;
import io.caravan.fs.UnsafePathException;
import io.caravan.fs.Versions;
import io.caravan.progress.ProgressListener;
import io.caravan.session.Syncer;
import io.caravan.unpack.PosixModes;
import io.caravan.util.DataSize;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mirror folder on this machine, kept equal to a source tree that lives elsewhere (a share
 * followed over HTTP): the same engine as push sync on both of its steps. The plan is
 * {@link SyncPlanner}'s (filter, {@link TreeDiff}), checked by the same {@link SyncGuards} and printed
 * by the same dry run. A file is moved only when the source gave its SHA-256 and the old file has it (a rename
 * the source reports carries it), a folder only when the source reported its move: size, mtime and mode prove no
 * content, so any other look-alike is deleted and fetched. Renames and deletions are applied by
 * {@link MirrorChanges} and new content by {@link MirrorApply}, as on a receiver: every file is
 * fetched into a staging folder inside the mirror's state folder ({@value #STATE}), checked (size,
 * and SHA-256 when the source gave one) and renamed into place, so a reader sees the old content or
 * the new; what is replaced or deleted goes to {@code .caravan-follow/versions}. Every folder is opened
 * without following links, the state folder and what is in it included, so nothing outside the mirror
 * is written or removed whatever the source's names or the links planted in the folder.
 */
public final class LocalMirror {

    /** The mirror's state folder (reserved by the {@link NameRules}: never a name of the mirrored tree). */
    public static final String STATE = ".caravan-follow";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The source no longer holds a file it listed (deleted since): no failure of the pass, the file is not placed and
     * its deletion comes with the next change or compare.
     */
    public static final class SourceFileGoneException extends IOException {
        public SourceFileGoneException(String message) {
            super(message);
        }
    }

    /** What {@link #stage} answers for a file the source no longer has ({@link SourceFileGoneException}). */
    private static final String GONE = new String("gone from the source");

    /** Fetches the current content of the source's files. */
    @FunctionalInterface
    public interface Fetcher {
        /**
         * Writes the current content of the source file {@code entry} into {@code out}; a
         * {@link SourceFileGoneException} when the source no longer holds it.
         */
        void fetch(SyncEntry entry, java.io.OutputStream out) throws IOException;

        /**
         * Fetches several small files (each listed at most {@link #smallFileSize()} bytes) in one exchange:
         * hands each one's whole content to {@code delivered}, in the order given, as it arrives. The
         * files it did not deliver (the source could not serve them, or the exchange broke off: an
         * {@link IOException} after some were delivered) are fetched one by one with {@link #fetch}.
         * By default none are: every file is fetched on its own.
         */
        default void fetchSmall(List<SyncEntry> entries, java.util.function.BiConsumer<SyncEntry, byte[]> delivered)
                throws IOException {
        }

        /** The largest file {@link #fetchSmall} takes; 0: none (the default). */
        default long smallFileSize() {
            return 0;
        }
    }

    /** Most files a pass fetches before it puts them in place (a step, {@link #content}). */
    static final int PLACE_EVERY_FILES = 2000;
    /** Most listed bytes a pass fetches before it puts them in place (a larger file is a step of its own). */
    static final long PLACE_EVERY_BYTES = 256L << 20;
    /** Most files fetched in one exchange. */
    static final int MAX_BATCH_FILES = 1000;
    /** Fewest files worth an exchange of their own when the workers share a batch of files. */
    static final int MIN_BATCH_FILES = 16;
    /** Most bytes listed for the files of one exchange. */
    static final long MAX_BATCH_BYTES = 16L << 20;
    /** The free space a mirror leaves on its disk unless told otherwise (as {@code caravan get --min-free-space}). */
    public static final long DEFAULT_MIN_FREE_SPACE = 256L << 20;

    private final Path root;
    private final SyncMode mode;
    private final boolean checksum;
    private final int workers;
    private final List<PathFilter.Rule> rules;
    private final SyncGuards guards;
    private final boolean dryRun;
    private final SyncConsole console;
    private final Fetcher fetcher;
    private final Versions versions;
    private final long minFreeSpace;
    /** The listing's entries already refused (path and why): each is said once, not at every pass. */
    private final Set<String> refusedSaid;

    public LocalMirror(Path root, SyncMode mode, boolean checksum, int workers, List<PathFilter.Rule> rules, SyncGuards guards,
                       boolean dryRun, Duration keepVersions, SyncConsole console, Fetcher fetcher) throws IOException {
        if (workers < 1 || workers > 20) {
            throw new IllegalArgumentException("workers must be between 1 and 20, was " + workers);
        }
        this.root = root.toAbsolutePath().normalize();
        this.mode = mode;
        this.checksum = checksum;
        this.workers = workers;
        this.rules = List.copyOf(rules);
        this.guards = guards;
        this.dryRun = dryRun;
        this.console = console;
        this.fetcher = fetcher;
        this.minFreeSpace = DEFAULT_MIN_FREE_SPACE;
        this.refusedSaid = java.util.concurrent.ConcurrentHashMap.newKeySet();
        // reached from the mirror without following a link: a link planted in the state folder is refused
        // the console says one line per change: each kept version in the debug log only
        this.versions = Versions.below(this.root, STATE + "/" + Versions.FOLDER, keepVersions, Clock.systemUTC()).quietly();
        state();
        try {
            versions.cleanup();
        } catch (UnsafePathException e) {
            throw new IOException(e.getMessage() + ": remove it, " + STATE + " holds only what Caravan puts there", e);
        }
        // staging folders of a pass that was killed: what they hold is fetched again when it is still needed
        try (ConfinedDir state = stateDir()) {
            for (String name : state.list()) {
                if (name.startsWith(".caravan-staging-")) {
                    state.deleteTree(name);
                }
            }
        }
    }

    private LocalMirror(LocalMirror of, SyncMode mode, boolean checksum, long minFreeSpace) {
        if (minFreeSpace < 0) {
            throw new IllegalArgumentException("the free space to keep cannot be negative, was " + minFreeSpace);
        }
        this.root = of.root;
        this.mode = mode;
        this.checksum = checksum;
        this.workers = of.workers;
        this.rules = of.rules;
        this.guards = of.guards;
        this.dryRun = of.dryRun;
        this.console = of.console;
        this.fetcher = of.fetcher;
        this.versions = of.versions;
        this.minFreeSpace = minFreeSpace;
        this.refusedSaid = of.refusedSaid;
    }

    /**
     * This mirror for the passes that apply reported changes: incremental and without a checksum
     * compare whatever the first compare used ({@code --mode full} or {@code --checksum} would fetch or
     * hash the whole tree at every change); the changed paths are forced instead.
     */
    public LocalMirror forChanges() {
        return mode == SyncMode.INCREMENTAL && !checksum ? this : new LocalMirror(this, SyncMode.INCREMENTAL, false, minFreeSpace);
    }

    /** This mirror, fetching no file whose listed size would leave less than {@code bytes} free on its disk. */
    public LocalMirror withMinFreeSpace(long bytes) {
        return new LocalMirror(this, mode, checksum, bytes);
    }

    public Path root() {
        return root;
    }

    /** The state folder, created when missing; refused when something other than a folder is there. */
    public Path state() throws IOException {
        Path state = root.resolve(STATE);
        if (Files.isSymbolicLink(state) || Files.exists(state, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(state, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(state + " is not a folder: move it away, Caravan keeps the mirror's state there");
        }
        createFolder(root, "the folder to follow into");
        createFolder(state, "the follower's state folder");
        return state;
    }

    /** The state folder, open (reached from the mirror without following a link). */
    public ConfinedDir stateDir() throws IOException {
        state();
        try (ConfinedDir mirror = ConfinedDir.open(root)) {
            return mirror.openDir(STATE);
        }
    }

    private void createFolder(Path folder, String what) throws IOException {
        try {
            Files.createDirectories(folder);
        } catch (FileSystemException e) {
            throw new IOException("cannot create " + what + " " + folder + ": " + FsMessages.reason(e)
                    + (e instanceof AccessDeniedException ? "; make " + folder.getParent()
                    + " writable for this user, or follow into another folder" : ""), e);
        }
    }

    /**
     * One pass making the mirror equal {@code source} ({@code label} names it in messages).
     * {@code forced} paths are fetched even when their size and mtime match (the source said they
     * changed). {@code verbose} prints the counts, progress and results; otherwise one line per change.
     */
    public MirrorSync.Outcome pass(Map<String, SyncEntry> source, Set<String> forced, boolean verbose, String label) throws IOException {
        return pass(source, forced, Map.of(), verbose, label);
    }

    /**
     * As {@link #pass(Map, Set, boolean, String)}, with the renames the source reported ({@code reported}:
     * new path to old path). Content is put at a path only when it is the source's for that path: an
     * entry is moved on the mirror only for a reported rename (exactly the pair it names, or what is
     * below a renamed folder), or for a file whose SHA-256 the source gave and the old file has. Any
     * other pairing by size, mtime and mode is a deletion and a fetch.
     */
    public MirrorSync.Outcome pass(Map<String, SyncEntry> source, Set<String> forced, Map<String, String> reported,
                                   boolean verbose, String label) throws IOException {
        long started = System.nanoTime();
        if (verbose) {
            console.line("Starting " + SyncConsole.label(mode).toLowerCase(java.util.Locale.ROOT) + " sync"
                    + (mode == SyncMode.FULL ? "" : checksum ? " (checksum compare)" : " (diff compare)")
                    + " from " + label + " to " + root + (dryRun ? " (dry run: nothing will be changed)" : ""));
            console.line("Scanning files...");
        }
        createFolder(root, "the folder to follow into");
        PathFilter filter = filter();
        Map<String, SyncEntry> mirrorable = mirrorable(source);
        return run(mirrorable, scan(filter, mirrorable), filter, forced, reported, true, verbose, label, started);
    }

    /**
     * {@code source} as this mirror can hold it ({@link ListedTree#mirrorable}): what one pass applies is
     * what the next one finds. An entry left out is said once ({@code Refused: path: why}), not at every pass.
     */
    private Map<String, SyncEntry> mirrorable(Map<String, SyncEntry> source) {
        return ListedTree.mirrorable(source, (path, why) -> {
            if (refusedSaid.add(path + "\n" + why)) {
                console.notice("Refused: " + NameRules.printable(path) + ": " + why);
            }
        });
    }

    /**
     * A pass over {@code paths} alone (the paths a change of the source names; {@code forced} and the
     * renames {@code reported} among them, as in {@link #pass(Map, Set, Map, boolean, String)}): the
     * entries at those paths, what is below them and the folders above them are compared and put right;
     * the rest of the mirror is neither read nor changed (a whole pass puts right what changed there).
     * The guards hold as for a whole pass: the deletions counted are those below the named paths, and
     * a source the filter leaves empty is refused as a whole pass refuses it (by making one). No
     * counts or progress are printed; one line per change.
     */
    public MirrorSync.Outcome passOver(Map<String, SyncEntry> source, Set<String> paths, Set<String> forced,
                                       Map<String, String> reported, String label) throws IOException {
        long started = System.nanoTime();
        source = mirrorable(source);
        createFolder(root, "the folder to follow into");
        PathFilter filter = filter();
        if (dryRun || source.entrySet().stream().allMatch(e -> filter.excludes(e.getKey(), e.getValue().type() == SyncEntry.Type.DIR))) {
            return pass(source, forced, reported, false, label); // the empty source's guard weighs the whole mirror
        }
        Map<String, SyncEntry> named = around(source, paths);
        return run(named, scan(filter, named, paths), filter, forced, reported, false, false, label, started);
    }

    /** The entries of {@code source} at {@code paths}, below them and above them. */
    private static Map<String, SyncEntry> around(Map<String, SyncEntry> source, Set<String> paths) {
        TreeMap<String, SyncEntry> tree = source instanceof TreeMap<String, SyncEntry> t ? t : new TreeMap<>(source);
        TreeMap<String, SyncEntry> named = new TreeMap<>();
        for (String path : TreeDiff.topMost(paths)) {
            for (String p = path; p != null; p = SyncEntry.parent(p)) {
                SyncEntry entry = tree.get(p);
                if (entry != null) {
                    named.put(p, entry);
                }
            }
            named.putAll(tree.subMap(path + "/", path + "0")); // '0' follows '/': every path below
        }
        return named;
    }

    /** Plans the pass from {@code source} and {@code mirror} (the whole trees when {@code whole}), checks it and applies it. */
    private MirrorSync.Outcome run(Map<String, SyncEntry> source, Map<String, SyncEntry> mirror, PathFilter filter, Set<String> forced,
                                   Map<String, String> reported, boolean whole, boolean verbose, String label, long started)
            throws IOException {
        SyncPlanner.Planned planned = new SyncPlanner(new TreeDiff(mode, checksum, SyncEntry::sha256), filter)
                .plan(source, mirror, forced, Set.of(), reported);
        planned = verifiedRenames(planned, reported);
        SyncPlan plan = planned.plan();
        if (verbose) {
            console.line("Found " + plan.checked() + " files to " + (mode == SyncMode.FULL ? "sync" : "check"));
            console.line(plan.work() + " files need synchronization");
        }
        if (dryRun) {
            DryRunReport.print(planned, "in " + root, console);
            try {
                guards.check(label, root.toString(), planned);
                return new MirrorSync.Outcome(0, 0, plan.unchanged(), List.of());
            } catch (PassRefusedException e) {
                console.notice("This pass would be refused: " + e.getMessage());
                return new MirrorSync.Outcome(0, 1, plan.unchanged(), List.of(e.getMessage()));
            }
        }
        if (whole) {
            guards.check(label, root.toString(), planned);
        } else {
            guards.checkDeletions(label, root.toString(), planned);
        }
        List<String> failures = new ArrayList<>();
        long done;
        try (ConfinedDir target = ConfinedDir.open(root)) {
            done = changes(target, plan, verbose, failures);
            done += content(target, planned, verbose, failures);
        }
        failures.forEach(f -> console.notice("Failed: " + NameRules.printable(f)));
        MirrorSync.Outcome outcome = new MirrorSync.Outcome(done, failures.size(), plan.unchanged(), failures);
        if (verbose) {
            console.results(mode, outcome.synced(), outcome.failed(), outcome.skipped(), System.nanoTime() - started);
        }
        return outcome;
    }

    /** The plan with every rename not verified by SHA-256 (a folder's: not reported) turned into a deletion and a fetch. */
    private SyncPlanner.Planned verifiedRenames(SyncPlanner.Planned planned, Map<String, String> reported) throws IOException {
        SyncPlan plan = planned.plan();
        List<SyncPlan.Rename> renames = new ArrayList<>();
        List<String> deletes = new ArrayList<>(plan.deletes());
        TreeMap<String, SyncEntry> send = new TreeMap<>();
        plan.send().forEach(e -> send.put(e.path(), e));
        List<String> created = new ArrayList<>(plan.created());
        TreeMap<String, SyncEntry> dirs = new TreeMap<>();
        plan.dirs().forEach(d -> dirs.put(d.path(), d));
        TreeMap<String, SyncEntry> source = new TreeMap<>(planned.source());
        for (SyncPlan.Rename r : plan.renames()) {
            // a file moves only onto bytes it is known to have: the source's SHA-256 (a reported rename carries it), not metadata
            boolean folder = source.get(r.to()) != null && source.get(r.to()).type() == SyncEntry.Type.DIR;
            if (folder && r.from().equals(reported.get(r.to())) || r.sha256() != null && r.sha256().equals(localSha256(r.from()))) {
                renames.add(r);
                continue;
            }
            deletes.add(r.from());
            for (SyncEntry entry : source.subMap(r.to(), true, r.to() + "0", false).values()) { // '0' follows '/'
                if (!entry.path().equals(r.to()) && !entry.path().startsWith(r.to() + "/")) {
                    continue;
                }
                if (entry.type() == SyncEntry.Type.DIR) {
                    dirs.put(entry.path(), entry);
                } else {
                    send.put(entry.path(), entry);
                    created.add(entry.path());
                }
            }
        }
        if (renames.size() == plan.renames().size()) {
            return planned;
        }
        long movedFiles = renames.stream().filter(r -> source.get(r.to()).type() != SyncEntry.Type.DIR).count();
        int unchanged = (int) Math.max(0, plan.checked() - send.size() - movedFiles);
        SyncPlan verified = new SyncPlan(renames, TreeDiff.topMost(deletes), List.copyOf(send.values()), created,
                List.copyOf(dirs.values()), plan.checked(), unchanged);
        return new SyncPlanner.Planned(verified, planned.source(), planned.mirror(), planned.filtered());
    }

    /** The SHA-256 of the mirror's regular file {@code path} (read without following a link), or null. */
    private String localSha256(String path) {
        try (ConfinedDir target = ConfinedDir.open(root); ConfinedDir parent = target.openDir(parentOf(path));
             InputStream in = parent.read(leaf(path))) {
            return Sha256.of(in, new byte[256 * 1024]);
        } catch (IOException | RuntimeException e) {
            return null; // not readable as a file: not verified, so fetched
        }
    }

    /** Renames, then deletions, through the receiver's {@link MirrorChanges}. */
    private long changes(ConfinedDir target, SyncPlan plan, boolean verbose, List<String> failures) throws IOException {
        if (plan.renames().isEmpty() && plan.deletes().isEmpty()) {
            return 0;
        }
        List<MirrorChangeRequest.Rename> renames = plan.renames().stream()
                .map(r -> new MirrorChangeRequest.Rename(r.from(), r.to(), r.sha256())).toList();
        MirrorChangesDone done = MirrorChanges.apply(target, versions.batch(), new MirrorChangeRequest(renames, plan.deletes()));
        if (!verbose) {
            done.renamed().forEach(r -> console.line("Renamed: " + r));
            done.deleted().forEach(d -> console.line("Deleted: " + d));
        }
        done.skipped().forEach(s -> failures.add(s.path() + ": " + s.reason()));
        return done.renamed().size() + done.deleted().size();
    }

    /**
     * New and changed files and links, fetched on {@code workers} threads and put in place in steps of at most
     * {@link #PLACE_EVERY_FILES} files and {@link #PLACE_EVERY_BYTES} listed bytes ({@link #step}), the first with
     * the folders the plan makes or changes: a pass stopped in its middle keeps every step it finished.
     */
    private long content(ConfinedDir target, SyncPlanner.Planned planned, boolean verbose, List<String> failures) throws IOException {
        SyncPlan plan = planned.plan();
        if (plan.send().isEmpty() && plan.dirs().isEmpty()) {
            return 0;
        }
        AtomicLong progressedCount = new AtomicLong();
        long placed = 0;
        List<SyncEntry> step = new ArrayList<>();
        long bytes = 0;
        boolean first = true;
        for (SyncEntry entry : plan.send()) {
            if (!step.isEmpty() && (step.size() == PLACE_EVERY_FILES || bytes + entry.size() > PLACE_EVERY_BYTES)) {
                placed += step(target, planned, step, first ? plan.dirs() : List.of(), progressedCount, verbose, failures);
                first = false;
                step = new ArrayList<>();
                bytes = 0;
            }
            step.add(entry);
            bytes += Math.max(0, entry.size());
        }
        return placed + step(target, planned, step, first ? plan.dirs() : List.of(), progressedCount, verbose, failures);
    }

    /**
     * One step of {@link #content}: the files and links of {@code send}, fetched on {@code workers} threads into a
     * staging folder, with the folders above them and {@code dirs} given their metadata; forced to disk, then applied
     * in one {@link MirrorApply}.
     */
    private long step(ConfinedDir target, SyncPlanner.Planned planned, List<SyncEntry> send, List<SyncEntry> dirs,
                      AtomicLong progressedCount, boolean verbose, List<String> failures) throws IOException {
        SyncPlan plan = planned.plan();
        if (send.isEmpty() && dirs.isEmpty()) {
            return 0;
        }
        String name = ".caravan-staging-" + HexFormat.of().formatHex(bytes(6));
        Path staging = state().resolve(name);
        try (ConfinedDir state = stateDir()) {
            state.mkdir(name);
        }
        Set<String> folders = new TreeSet<>();
        dirs.forEach(d -> folders.add(d.path()));
        for (SyncEntry entry : send) {
            for (String p = SyncEntry.parent(entry.path()); p != null; p = SyncEntry.parent(p)) {
                folders.add(p);
            }
        }
        List<String> created = plan.created();
        FreeSpaceFloor floor = new FreeSpaceFloor(root, minFreeSpace, "--min-free-space");
        AtomicLong placed = new AtomicLong();
        long total = plan.send().size();
        try (ConfinedDir stage = ConfinedDir.open(staging)) {
            for (String folder : folders) {
                stage.openDirs(folder).close();
            }
            List<List<SyncEntry>> units = units(send);
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, Math.max(1, units.size())), r -> {
                Thread t = new Thread(r, "caravan-follow-fetch");
                t.setDaemon(true);
                return t;
            });
            java.util.function.Consumer<Integer> progressed = done -> {
                long now = progressedCount.addAndGet(done);
                if (verbose && (now * 10 / total != (now - done) * 10 / total || now == total)) {
                    console.progress(mode, now, total);
                }
            };
            List<Future<Map<String, String>>> results = new ArrayList<>();
            try {
                for (List<SyncEntry> unit : units) {
                    results.add(pool.submit(() -> unit.size() == 1 && alone(unit.get(0))
                            ? single(stage, unit.get(0), floor, progressed) : stageSmall(stage, unit, floor, progressed)));
                }
                Map<String, String> outcome = new java.util.HashMap<>();
                for (Future<Map<String, String>> result : results) {
                    outcome.putAll(result.get());
                }
                for (SyncEntry entry : send) {
                    String failure = outcome.get(entry.path());
                    if (failure == GONE) { // identity: only stage() answers it
                        console.line("Gone before its fetch: " + entry.path());
                    } else if (failure != null) {
                        failures.add(failure);
                    } else {
                        placed.incrementAndGet();
                        if (!verbose) {
                            console.line((created.contains(entry.path()) ? "Created: " : "Modified: ") + entry.path());
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("follow interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error; // out of memory in a fetch is the pass's, not a lost connection
                }
                throw new IOException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
            List<String> deepestFirst = new ArrayList<>(folders);
            deepestFirst.sort(Comparator.comparingInt((String f) -> f.split("/").length).reversed());
            for (String folder : deepestFirst) {
                SyncEntry meta = planned.source().get(folder);
                if (meta != null && meta.type() == SyncEntry.Type.DIR) {
                    try (ConfinedDir parent = stage.openDir(parentOf(folder))) {
                        parent.setPermissions(leaf(folder), PosixModes.toPermissions(meta.mode() | 0700));
                        parent.setModified(leaf(folder), FileTime.fromMillis(meta.mtime()));
                    }
                }
            }
        }
        forceToDisk(staging);
        MirrorApply.apply(staging, target, versions.batch());
        restoreFolderModes(target, folders, planned.source());
        return placed.get();
    }

    /**
     * Forces everything staged to disk at once, after it is all written and before any of it is renamed
     * into place ({@link Syncer#tree}: one commit of the file system's journal for a large batch, rather
     * than one per file); a staging folder that cannot be forced is removed and nothing of it placed.
     */
    private static void forceToDisk(Path staging) throws IOException {
        try {
            Syncer.SYSTEM.tree(staging);
        } catch (IOException e) {
            try (ConfinedDir parent = ConfinedDir.open(staging.getParent())) {
                parent.deleteTree(staging.getFileName().toString());
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * The files to fetch as units of work: each file larger than the fetcher's small files (and each
     * link) alone; the small ones in batches that share them among the workers, at most
     * {@link #MAX_BATCH_FILES} files and {@link #MAX_BATCH_BYTES} listed bytes each, and at least
     * {@link #MIN_BATCH_FILES} when there are that many.
     */
    private List<List<SyncEntry>> units(List<SyncEntry> send) {
        List<List<SyncEntry>> units = new ArrayList<>();
        List<SyncEntry> small = new ArrayList<>();
        for (SyncEntry entry : send) {
            if (alone(entry)) {
                units.add(List.of(entry));
            } else {
                small.add(entry);
            }
        }
        int perBatch = (int) Math.max(MIN_BATCH_FILES, Math.min(MAX_BATCH_FILES, (small.size() + workers - 1) / workers));
        List<SyncEntry> batch = new ArrayList<>();
        long bytes = 0;
        for (SyncEntry entry : small) {
            if (!batch.isEmpty() && (batch.size() == perBatch || bytes + entry.size() > MAX_BATCH_BYTES)) {
                units.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(entry);
            bytes += entry.size();
        }
        if (!batch.isEmpty()) {
            units.add(batch);
        }
        return units;
    }

    /** Whether {@code entry} is a unit of its own: a link (made here, nothing fetched) or a file too large for a batch. */
    private boolean alone(SyncEntry entry) {
        return entry.type() != SyncEntry.Type.FILE || entry.size() > fetcher.smallFileSize();
    }

    /** One file (or link) fetched on its own, when the floor allows: its path and failure message (null: staged). */
    private Map<String, String> single(ConfinedDir stage, SyncEntry entry, FreeSpaceFloor floor,
                                       java.util.function.Consumer<Integer> progressed) {
        Map<String, String> outcome = new java.util.HashMap<>();
        String refused = room(floor, entry);
        try {
            outcome.put(entry.path(), refused != null ? refused : stageOne(stage, entry));
        } finally {
            if (refused == null) {
                floor.release(entry.size());
            }
        }
        progressed.accept(1);
        return outcome;
    }

    /**
     * Takes the room {@code entry}'s listed size needs on the mirror's disk above the floor: null when
     * taken (released once it is staged or failed), else why it is not fetched. Nothing is asked of
     * the source for a file refused, so what the mirror holds at its path stays whole.
     */
    private static String room(FreeSpaceFloor floor, SyncEntry entry) {
        if (entry.type() != SyncEntry.Type.FILE) {
            return null;
        }
        try {
            String refused = floor.take("its " + DataSize.format(entry.size()), entry.size());
            return refused == null ? null : entry.path() + ": not fetched: " + refused;
        } catch (IOException | RuntimeException e) {
            return entry.path() + ": not fetched: the free space of the disk could not be read: " + FsMessages.reason(e);
        }
    }

    /**
     * Small files fetched together ({@link Fetcher#fetchSmall}), those it did not deliver one by one:
     * each path and its failure message (null: staged).
     */
    private Map<String, String> stageSmall(ConfinedDir stage, List<SyncEntry> files, FreeSpaceFloor floor,
                                           java.util.function.Consumer<Integer> progressed) {
        Map<String, String> outcome = new java.util.HashMap<>();
        List<SyncEntry> batch = new ArrayList<>();
        for (SyncEntry entry : files) {
            String refused = room(floor, entry);
            if (refused == null) {
                batch.add(entry);
            } else {
                outcome.put(entry.path(), refused);
                progressed.accept(1);
            }
        }
        try {
            return fetchSmall(stage, batch, outcome, progressed);
        } finally {
            floor.release(batch.stream().mapToLong(SyncEntry::size).sum());
        }
    }

    /** The files of {@code batch} fetched together, what did not arrive one by one, into {@code outcome}. */
    private Map<String, String> fetchSmall(ConfinedDir stage, List<SyncEntry> batch, Map<String, String> outcome,
                                           java.util.function.Consumer<Integer> progressed) {
        if (batch.isEmpty()) {
            return outcome;
        }
        try {
            fetcher.fetchSmall(batch, (entry, content) -> {
                if (!outcome.containsKey(entry.path())) {
                    outcome.put(entry.path(), stage(stage, entry, out -> out.write(content)));
                    progressed.accept(1);
                }
            });
        } catch (IOException | RuntimeException broken) {
            // what arrived before stays staged; the rest is fetched file by file below
        }
        for (SyncEntry entry : batch) {
            if (!outcome.containsKey(entry.path())) {
                outcome.put(entry.path(), stageOne(stage, entry));
                progressed.accept(1);
            }
        }
        return outcome;
    }

    /** Writes a file's content into the stream it is given. */
    @FunctionalInterface
    private interface Content {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /** Fetches one file (or makes one link) into the staging folder; returns a failure message or null. */
    private String stageOne(ConfinedDir stage, SyncEntry entry) {
        if (entry.type() == SyncEntry.Type.LINK) {
            try (ConfinedDir parent = stage.openDirs(parentOf(entry.path()))) {
                parent.symlink(leaf(entry.path()), entry.target());
                if (entry.mtime() != 0) { // the link's own; a server that lists none (an earlier release) gives 0
                    parent.setModified(leaf(entry.path()), java.nio.file.attribute.FileTime.fromMillis(entry.mtime()));
                }
                return null;
            } catch (IOException | RuntimeException e) {
                return entry.path() + ": " + FsMessages.reason(e);
            }
        }
        ProgressListener progress = new LargeFileProgress(List.of(entry), console);
        return stage(stage, entry, out -> fetcher.fetch(entry, new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                this.out.write(b, off, len); // the channel's stream, whole buffers at once
                progress.bytes(len);
            }
        }));
    }

    /**
     * Writes {@code entry}'s content into the staging folder, checks it and gives it its mode and time;
     * returns a failure message or null. A file whose content failed is removed from the staging
     * folder, so that what is already in the mirror stays in place.
     */
    private String stage(ConfinedDir stage, SyncEntry entry, Content content) {
        String leaf = leaf(entry.path());
        try (ConfinedDir parent = stage.openDirs(parentOf(entry.path()))) {
            String failure = null;
            try {
                failure = write(parent, leaf, entry, content);
                return failure;
            } catch (SourceFileGoneException e) {
                failure = GONE;
                return failure;
            } catch (IOException | RuntimeException e) {
                failure = entry.path() + ": " + FsMessages.reason(e);
                return failure;
            } finally {
                if (failure != null) {
                    try {
                        parent.delete(leaf);
                    } catch (IOException | RuntimeException gone) {
                        // never created, or gone already
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return entry.path() + ": " + FsMessages.reason(e);
        }
    }

    /** Writes and checks one staged file; a failure message, or null when it is ready to be placed. */
    private static String write(ConfinedDir parent, String leaf, SyncEntry entry, Content content) throws IOException {
        try (FileChannel out = parent.create(leaf)) {
            java.io.OutputStream stream = Channels.newOutputStream(out);
            content.writeTo(stream);
            stream.flush(); // forced to disk with the whole staging folder, before anything is renamed into place
        }
        if (entry.sha256() != null) {
            String sha;
            try (InputStream in = parent.read(leaf)) {
                sha = Sha256.of(in, new byte[256 * 1024]);
            }
            if (!sha.equals(entry.sha256())) {
                return entry.path() + ": its content arrived with SHA-256 " + sha + ", not the source's " + entry.sha256()
                        + " (it changed while it was fetched?); fetched again at the next change";
            }
        }
        // without a SHA-256, a size other than the listed one is the source's newer content: it stands, and its own
        // change event follows
        parent.setPermissions(leaf, PosixModes.toPermissions(entry.mode()));
        parent.setModified(leaf, FileTime.fromMillis(entry.mtime()));
        return null;
    }

    /**
     * Read-only folders were staged writable (to fill them), and a folder's sticky bit is not carried by
     * {@link MirrorApply}: their own mode is set once everything is in.
     */
    private static void restoreFolderModes(ConfinedDir target, Set<String> folders, Map<String, SyncEntry> source) throws IOException {
        List<String> deepestFirst = new ArrayList<>(folders);
        deepestFirst.sort(Comparator.comparingInt((String f) -> f.split("/").length).reversed());
        for (String folder : deepestFirst) {
            SyncEntry meta = source.get(folder);
            if (meta != null && meta.type() == SyncEntry.Type.DIR && ((meta.mode() & 0700) != 0700 || (meta.mode() & 01000) != 0)) {
                try (ConfinedDir parent = target.openDir(parentOf(folder))) {
                    parent.setMode(leaf(folder), meta.mode());
                    parent.setModified(leaf(folder), FileTime.fromMillis(meta.mtime()));
                }
            }
        }
    }

    /** The mirror as it is (its own state left out), with SHA-256s where a checksum compare needs them. */
    private Map<String, SyncEntry> scan(PathFilter filter, Map<String, SyncEntry> source) throws IOException {
        return own(TreeScanner.scan(root, filter), source);
    }

    /** As {@link #scan(PathFilter, Map)}, for {@code paths} alone (see {@link TreeScanner#scan(Path, PathFilter, java.util.Collection)}). */
    private Map<String, SyncEntry> scan(PathFilter filter, Map<String, SyncEntry> source, Set<String> paths) throws IOException {
        return own(TreeScanner.scan(root, filter, paths), source);
    }

    /** The entries of a scan of the mirror that are the mirrored tree's, with SHA-256s where a checksum compare needs them. */
    private Map<String, SyncEntry> own(Map<String, SyncEntry> scanned, Map<String, SyncEntry> source) throws IOException {
        Map<String, SyncEntry> mirror = new TreeMap<>();
        for (Map.Entry<String, SyncEntry> e : scanned.entrySet()) {
            if (NameRules.problem(e.getKey()) != null) {
                continue; // Caravan's own (the state folder) or a name no source can have
            }
            SyncEntry entry = e.getValue();
            SyncEntry theirs = source.get(e.getKey());
            if (checksum && entry.type() == SyncEntry.Type.FILE && theirs != null && entry.sameMetadata(theirs)) {
                entry = new SyncEntry(entry.path(), entry.type(), entry.size(), entry.mtime(), entry.mode(), null,
                        TreeScanner.sha256(root, entry.path()));
            }
            mirror.put(e.getKey(), entry);
        }
        return mirror;
    }

    private PathFilter filter() throws IOException {
        List<PathFilter.Rule> all = new ArrayList<>(List.of(PathFilter.Rule.exclude("/" + STATE + "/")));
        all.addAll(rules);
        return PathFilter.loadShared(root, all); // the share's own ignore file: it never fails a pass
    }

    private static String parentOf(String path) {
        String parent = SyncEntry.parent(path);
        return parent == null ? "" : parent;
    }

    private static String leaf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

}
