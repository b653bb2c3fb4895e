package io.caravan.download;

import io.caravan.CaravanException;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.fs.RealPaths;
import io.caravan.fs.Versions;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.Retry;
import io.caravan.sender.ShipException;
import io.caravan.unpack.ChunkVerificationException;
import io.caravan.pack.DecoderMemory;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.ExtractionLimits;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.Publisher;
import io.caravan.unpack.SafeExtractor;
import io.caravan.unpack.Staging;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.Unpacker;
import io.caravan.unpack.UnsafeEntryException;
import io.caravan.unpack.VerifyingPartsInputStream;
import io.caravan.util.PositionedDirectWriter;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fetches one published parcel into {@code local}: chunks in parallel into a chunk folder (each
 * verified before it lands, named by its SHA-256), extracted while they arrive into a staging folder
 * inside {@code local} ({@link SafeExtractor}: nothing outside it, no link followed, never more than the manifest
 * declares nor more than {@code maxExpansion} bytes per compressed byte: {@link ExtractionLimits}), the
 * whole stream checked against the manifest, then published with the conflict rules of {@code send}
 * ({@link Publisher}), what it replaces kept in the settings' {@link Versions}. A rerun fetches only the chunks the folder lacks; when the parcel was published
 * again meanwhile (412), it continues with the new manifest and keeps every chunk whose hash it holds.
 */
public final class ParcelDownload {

    /** What a refused change of type tells the user of {@code caravan get} to do. */
    static final String TYPE_CHANGE_ADVICE = "Download into another folder (<local>), or allow the change of type (--force;"
            + " the replaced entry is kept as a version)";

    private static final int MAX_REPUBLISHED = 5;

    /** Unpacked bytes a parcel may produce per compressed byte by default: the receiver's default. */
    public static final long DEFAULT_MAX_EXPANSION = 1000;

    /** Entries an archive may hold when its manifest does not say how many. */
    static final long UNDECLARED_MAX_ENTRIES = 10_000_000;

    /** How a parcel refused for its limits is told: the server is to blame for one beyond its manifest. */
    private static final ExtractionLimits.Wording REFUSED = new ExtractionLimits.Wording("nothing was kept",
            "the server sends more than its manifest describes (a decompression bomb, or a broken catalog); nothing was"
                    + " kept. Tell the receiver's operator; no option of get lets such a parcel in",
            "--max-expansion",
            "If the parcel is expected, fetch it again with a larger limit (caravan get --max-expansion N, 0 for no limit)");

    /**
     * How to download: from where, which parcel, into which folder, and with which limits
     * ({@code maxExpansion}: unpacked bytes per compressed byte, 0 for no limit; {@link ExtractionLimits};
     * {@code decoderMemory}: what the stream's decoder may hold for its dictionary or window).
     */
    public record Settings(CatalogClient client, String name, Path local, Path stateDir, int parallel,
                           OnConflict onConflict, boolean force, boolean allowExternalSymlinks, long minFreeSpace,
                           Versions versions, Retry retry, long maxExpansion, DecoderMemory decoderMemory) {

        public Settings {
            if (maxExpansion < 0) {
                throw new IllegalArgumentException("the expansion limit must be 0 or more (0: no limit), not " + maxExpansion);
            }
        }

        /** Settings whose decoder may hold half the heap. */
        public Settings(CatalogClient client, String name, Path local, Path stateDir, int parallel, OnConflict onConflict,
                        boolean force, boolean allowExternalSymlinks, long minFreeSpace, Versions versions, Retry retry,
                        long maxExpansion) {
            this(client, name, local, stateDir, parallel, onConflict, force, allowExternalSymlinks, minFreeSpace, versions, retry,
                    maxExpansion, DecoderMemory.ONE_OF_HEAP);
        }

        /** Settings with the {@link #DEFAULT_MAX_EXPANSION}, whose decoder may hold half the heap. */
        public Settings(CatalogClient client, String name, Path local, Path stateDir, int parallel, OnConflict onConflict,
                        boolean force, boolean allowExternalSymlinks, long minFreeSpace, Versions versions, Retry retry) {
            this(client, name, local, stateDir, parallel, onConflict, force, allowExternalSymlinks, minFreeSpace, versions, retry,
                    DEFAULT_MAX_EXPANSION);
        }
    }

    /** What a download did. */
    public record Result(Path published, long entries, long bytes, String sha256, int chunks, int reusedChunks,
                         long fetchedBytes, int republished) {
    }

    private final Settings settings;
    private final String leaf;
    private final AtomicLong fetchedBytes = new AtomicLong();

    public ParcelDownload(Settings settings) {
        this.settings = settings;
        NameRules.check(settings.name());
        List<String> segments = ConfinedDir.segments(settings.name());
        this.leaf = segments.get(segments.size() - 1);
    }

    /** The longest name of a folder (in UTF-8 bytes) that file systems take. */
    private static final int MAX_FOLDER_NAME_BYTES = 255;

    /**
     * Where the chunks of {@code name} wait by default: {@code <local>/.caravan-get-<last name segment>},
     * or, when that is longer than a folder name may be, {@code .caravan-get-<start of the segment>-<hash>}
     * with the first 16 hex digits of the whole name's SHA-256: the same name always maps to the same
     * folder, so a rerun finds its chunks.
     */
    public static Path defaultStateDir(Path local, String name) {
        List<String> segments = ConfinedDir.segments(name);
        String prefix = NameRules.RESERVED_PREFIX + "-get-";
        String folder = prefix + segments.get(segments.size() - 1);
        if (folder.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_FOLDER_NAME_BYTES) {
            return local.resolve(folder);
        }
        byte[] whole = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String hash = "-" + Sha256.of(whole, 0, whole.length).substring(0, 16);
        return local.resolve(utf8Start(folder, MAX_FOLDER_NAME_BYTES - hash.length()) + hash);
    }

    /** The longest start of {@code text} that takes at most {@code bytes} bytes in UTF-8, never cutting a character. */
    private static String utf8Start(String text, int bytes) {
        int used = 0;
        int end = 0;
        while (end < text.length()) {
            int c = text.codePointAt(end);
            int size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            if (used + size > bytes) {
                break;
            }
            used += size;
            end += Character.charCount(c);
        }
        return text.substring(0, end);
    }

    /**
     * Downloads and publishes the parcel. A failure that a rerun would meet again
     * ({@link PermanentFailures}: a 4xx, a parcel the client refuses) removes the chunk folder, and so
     * does any failure before a chunk was kept; otherwise (the network, a 5xx, the local disk, a
     * refused token, a stop) the chunks fetched stay there for the rerun.
     */
    public Result run(ProgressListener listener) throws IOException, InterruptedException {
        refuseStateDirAtTarget();
        createStateDir();
        try {
            return fetchUntilPublished(listener);
        } catch (RuntimeException | IOException e) {
            removeStateAfter(e);
            throw e;
        }
    }

    private void removeStateAfter(Exception failure) {
        try {
            boolean refused = PermanentFailures.permanent(failure) && !PermanentFailures.refusedToken(failure);
            if (refused || !holdsChunks(settings.stateDir())) {
                removeStateFiles(settings.stateDir());
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Whether the chunk folder holds a chunk a rerun would keep: a verified chunk file, or one recorded in a file's chunk log. */
    private static boolean holdsChunks(Path state) throws IOException {
        Path log = state.resolve("chunks.log");
        if (Files.isRegularFile(log) && Files.size(log) > 0) {
            return true;
        }
        try (var entries = Files.list(state)) {
            return entries.anyMatch(p -> p.getFileName().toString().matches("[0-9a-f]{64}\\.chunk"));
        }
    }

    private Result fetchUntilPublished(ProgressListener listener) throws IOException, InterruptedException {
        for (int republished = 0; ; republished++) {
            // kept as received: never written again from the parsed manifest (a copy of it in memory)
            CatalogClient.RemoteManifest remote = settings.retry().call("manifest of " + settings.name(),
                    () -> settings.client().manifest(settings.name(), settings.stateDir().resolve("manifest.json")));
            try {
                Result result = fetchAndExtract(remote, republished, listener);
                removeStateFiles(settings.stateDir());
                return result;
            } catch (ShipException e) {
                if (e.status() != 412) {
                    throw e;
                }
                if (republished >= MAX_REPUBLISHED) {
                    throw new ShipException(412, "'" + settings.name() + "' was published again " + (republished + 1)
                            + " times while it was downloaded: run the same command again when it changes less often (the"
                            + " chunks fetched are kept); last: " + e.getMessage(), e);
                }
                listener.warning("'" + settings.name() + "' was published again during the download: continuing with"
                        + " its new manifest, keeping the chunks already fetched");
            }
        }
    }

    /**
     * Refuses, before anything is created or fetched, a chunk folder that is, holds or lies inside
     * {@code <local>/<leaf>}, where the parcel is published (links resolved): its bookkeeping files
     * ({@code data}, {@code manifest.json}, chunk files) could take the parcel's name, and the clean-up
     * after the publish, which removes them by name, would remove the parcel with them.
     */
    private void refuseStateDirAtTarget() {
        Path target = settings.local().toAbsolutePath().normalize().resolve(leaf);
        Path state = settings.stateDir().toAbsolutePath().normalize();
        Path realTarget = RealPaths.of(target);
        Path realState = RealPaths.of(state);
        if (realTarget.startsWith(realState) || realState.startsWith(realTarget)) {
            throw new IllegalArgumentException("the chunk folder (--state-dir) " + state + " holds or lies inside " + target
                    + ", where '" + settings.name() + "' is published, and is emptied of its chunk files after the publish:"
                    + " nothing was fetched. Give --state-dir a folder outside it, such as the default "
                    + defaultStateDir(settings.local(), settings.name()));
        }
    }

    /**
     * Creates the chunk folder. One inside {@code local} (the default) is reached folder by folder
     * without following a link, so a link planted there never sends chunks elsewhere.
     */
    private void createStateDir() throws IOException {
        Path local = settings.local().toAbsolutePath().normalize();
        Path state = settings.stateDir().toAbsolutePath().normalize();
        Files.createDirectories(local);
        refuseForeignStateDir(state);
        if (!state.startsWith(local) || state.equals(local)) {
            Files.createDirectories(state);
        } else {
            try (ConfinedDir root = ConfinedDir.open(local);
                 ConfinedDir ignored = root.openDirs(local.relativize(state).toString())) {
                // opened only to check and create it
            }
        }
        Files.writeString(state.resolve(STATE_MARKER), "chunks of a caravan get; removed once it is published\n");
    }

    /**
     * Removes what this download put in its chunk folder (the marker, the manifest, chunk files and their
     * partial writes, a file's data and chunk log), then the folder itself only if nothing else is left:
     * a folder the user named is never emptied of anything else.
     */
    private static void removeStateFiles(Path state) throws IOException {
        try (var entries = Files.list(state)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.equals(STATE_MARKER) || name.equals("manifest.json")
                        || name.equals("manifest.json.partial") || name.equals("data") || name.equals("chunks.log")
                        || name.matches("[0-9a-f]{64}\\.chunk(\\.partial-\\d+)?")) {
                    Files.deleteIfExists(entry);
                }
            }
        }
        try (var left = Files.list(state)) {
            if (left.findAny().isEmpty()) {
                Files.deleteIfExists(state);
            }
        }
    }

    /** Marks a chunk folder as this download's own: it is removed whole once the parcel is published. */
    private static final String STATE_MARKER = ".caravan-get";

    /**
     * A chunk folder is removed whole after the publish, so it must be one that holds nothing else: new,
     * empty, marked by an earlier download, or at a name only Caravan uses (the default
     * {@code .caravan-get-<name>}, or inside a {@code .caravan} state folder).
     */
    private static void refuseForeignStateDir(Path state) throws IOException {
        if (!Files.isDirectory(state, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.exists(state.resolve(STATE_MARKER))
                || state.getFileName().toString().startsWith(NameRules.RESERVED_PREFIX + "-get-")) {
            return;
        }
        for (Path p = state.getParent(); p != null && p.getFileName() != null; p = p.getParent()) {
            if (p.getFileName().toString().equals(NameRules.RESERVED_PREFIX)) {
                return;
            }
        }
        try (var entries = Files.list(state)) {
            if (entries.findAny().isPresent()) {
                throw new CaravanException(state + " already holds files that caravan get did not put there, and the chunk"
                        + " folder is removed once the parcel is published: give --state-dir a new or empty folder"
                        + " (nothing was changed)");
            }
        }
    }

    private Result fetchAndExtract(CatalogClient.RemoteManifest remote, int republished, ProgressListener listener)
            throws IOException, InterruptedException {
        Manifest manifest = remote.manifest();
        if (manifest.file() != null) {
            return fetchInPlace(remote, republished, listener);
        }
        List<Path> files = new java.util.AbstractList<>() { // each chunk's file, named when asked for
            @Override
            public Path get(int index) {
                return settings.stateDir().resolve(manifest.chunks().get(index).checksum() + ".chunk");
            }

            @Override
            public int size() {
                return manifest.chunks().size();
            }
        };
        ArrivingChunks arrivals = new ArrivingChunks(files);
        List<ChunkInfo> missing = new ArrayList<>();
        for (ChunkInfo chunk : manifest.chunks()) {
            Path file = files.get(chunk.index());
            if (Files.isRegularFile(file) && Files.size(file) == chunk.size()) {
                arrivals.arrived(chunk.index());
            } else {
                missing.add(chunk);
            }
        }
        listener.started("get", manifest.contentBytes() == null ? manifest.totalSize() : manifest.contentBytes(),
                manifest.entries() == null ? -1 : manifest.entries());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(settings.parallel(), Math.max(1, missing.size()))),
                daemons("caravan-get-" + leaf));
        // large files have a block written while the next is read, on threads this download owns
        ExecutorService writeBehind = Executors.newFixedThreadPool(ExtractPolicy.WRITE_BEHIND_THREADS, daemons("caravan-get-write-" + leaf));
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        try {
            for (ChunkInfo chunk : missing) {
                pool.execute(() -> fetch(remote, chunk, files.get(chunk.index()), arrivals, failure));
            }
            boolean ok = false;
            try (Staging staging = Staging.create(settings.local())) {
                SafeExtractor.Result extracted = extract(manifest, arrivals, staging, listener, writeBehind);
                Path published = publish(staging);
                ok = true;
                return new Result(published, extracted.entries(), extracted.bytes(), manifest.sha256(), manifest.totalChunks(),
                        manifest.totalChunks() - missing.size(), fetchedBytes.get(), republished);
            } finally {
                listener.finished(ok);
            }
        } finally {
            pool.shutdownNow();
            writeBehind.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A file served as its own bytes ({@link RawAssembly}): chunks fetched in parallel to their positions,
     * hashed in order on this thread while they arrive (the whole file against the manifest's SHA-256),
     * then the file renamed into staging and published. Each byte is written once.
     */
    private Result fetchInPlace(CatalogClient.RemoteManifest remote, int republished, ProgressListener listener)
            throws IOException, InterruptedException {
        Manifest manifest = remote.manifest();
        try (RawAssembly assembly = RawAssembly.open(settings.stateDir(), manifest, settings.name(), settings.parallel())) {
            Set<Integer> present = assembly.present();
            List<ChunkInfo> missing = manifest.chunks().stream().filter(c -> !present.contains(c.index())).toList();
            checkFreeSpace(missing.stream().mapToLong(ChunkInfo::size).sum());
            ArrivingChunks arrivals = new ArrivingChunks(java.util.Collections.nCopies(manifest.totalChunks(), settings.stateDir()));
            present.forEach(arrivals::arrived);
            listener.started("get", manifest.totalSize(), 1);
            listener.entry(leaf, manifest.totalSize());
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(settings.parallel(), Math.max(1, missing.size()))),
                    daemons("caravan-get-" + leaf));
            boolean ok = false;
            try {
                for (ChunkInfo chunk : missing) {
                    pool.execute(() -> fetchAt(remote, chunk, assembly, arrivals));
                }
                MessageDigest whole = Sha256.newDigest();
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 20);
                for (ChunkInfo chunk : manifest.chunks()) {
                    awaitArrival(arrivals, chunk.index());
                    if (!assembly.digest(whole, assembly.position(chunk.index()), chunk.size(), buffer)) {
                        throw new IOException("the downloaded file ends before chunk " + chunk.index() + " ends");
                    }
                    listener.bytes(chunk.size());
                }
                String sha = Sha256.hex(whole);
                if (manifest.hasStreamSha256() && !sha.equals(manifest.sha256())) {
                    throw new ChunkVerificationException("'" + settings.name() + "': the file's SHA-256 is " + sha
                            + ", the manifest says " + manifest.sha256() + "; the server is broken, nothing was published");
                }
                Path file = assembly.finish();
                Path published;
                try (Staging staging = Staging.create(settings.local())) {
                    try {
                        Files.move(file, staging.dir().resolve(leaf), StandardCopyOption.ATOMIC_MOVE);
                    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                        // a --state-dir on another file system than <local>: one copy, with its mode and time
                        Files.copy(file, staging.dir().resolve(leaf), StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    published = publish(staging);
                }
                ok = true;
                return new Result(published, 1, manifest.totalSize(), sha, manifest.totalChunks(), present.size(),
                        fetchedBytes.get(), republished);
            } finally {
                listener.finished(ok);
                pool.shutdownNow();
                pool.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits for chunk {@code index}; a fetch that failed ends the wait with its own failure. */
    private static void awaitArrival(ArrivingChunks arrivals, int index) {
        try {
            arrivals.get(index);
        } catch (RuntimeException e) {
            RuntimeException fetchFailure = arrivals.failure();
            throw fetchFailure != null ? fetchFailure : e;
        }
    }

    private void fetchAt(CatalogClient.RemoteManifest remote, ChunkInfo chunk, RawAssembly assembly, ArrivingChunks arrivals) {
        if (arrivals.failure() != null) {
            return;
        }
        try {
            settings.retry().run("chunk " + chunk.index() + " of " + settings.name(), () -> {
                try (PositionedDirectWriter out = assembly.writer(chunk.index())) {
                    settings.client().chunkAt(settings.name(), chunk, remote.etag(), out);
                } catch (IOException e) {
                    throw new ShipException(0, "cannot store chunk " + chunk.index() + " of '" + settings.name() + "': "
                            + e.getMessage(), e);
                }
            });
            assembly.fetched(chunk.index());
            fetchedBytes.addAndGet(chunk.size());
            arrivals.arrived(chunk.index());
        } catch (IOException e) {
            arrivals.failed(new CaravanException("cannot record chunk " + chunk.index() + " in " + settings.stateDir() + ": "
                    + e.getMessage(), e));
        } catch (RuntimeException e) {
            arrivals.failed(e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemons(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private void fetch(CatalogClient.RemoteManifest remote, ChunkInfo chunk, Path file, ArrivingChunks arrivals,
                       AtomicReference<RuntimeException> failure) {
        if (arrivals.failure() != null) {
            return;
        }
        try {
            checkFreeSpace(chunk.size());
            settings.retry().run("chunk " + chunk.index() + " of " + settings.name(),
                    () -> settings.client().chunk(settings.name(), chunk, remote.etag(), file));
            fetchedBytes.addAndGet(chunk.size());
            arrivals.arrived(chunk.index());
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            arrivals.failed(e);
        }
    }

    private SafeExtractor.Result extract(Manifest manifest, ArrivingChunks arrivals, Staging staging, ProgressListener listener,
                                         ExecutorService writeBehind) throws IOException {
        long room = Math.max(0, Files.getFileStore(settings.local()).getUsableSpace() - settings.minFreeSpace());
        ExtractPolicy base = ExtractPolicy.DEFAULT.withExternalSymlinks(settings.allowExternalSymlinks())
                .withLimits(UNDECLARED_MAX_ENTRIES, room)
                .withMaxExpansion(settings.maxExpansion(), ExtractPolicy.DEFAULT_EXPANSION_GRACE)
                .withWriteBehind(writeBehind).withDecoderMemory(settings.decoderMemory());
        ExtractionLimits limits = new ExtractionLimits("'" + settings.name() + "'", manifest, base, REFUSED);
        Unpacker unpacker = new Unpacker(new UnpackOptions(true, settings.onConflict(), limits.policy()), listener);
        try (VerifyingPartsInputStream parts = new VerifyingPartsInputStream(arrivals, manifest, listener)) {
            return unpacker.extractWithin(limits, parts, staging.dir(), parts);
        } catch (RuntimeException | IOException e) {
            RuntimeException fetchFailure = arrivals.failure();
            if (fetchFailure != null) {
                throw fetchFailure; // a failed fetch explains the extraction's end
            }
            throw e;
        }
    }

    /** Publishes the parcel's one top-level entry into {@code local}; anything else in the archive is refused. */
    private Path publish(Staging staging) throws IOException {
        List<String> top;
        try (var entries = Files.list(staging.dir())) {
            top = entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (!top.equals(List.of(leaf))) {
            String stray = top.stream().filter(n -> !n.equals(leaf)).findFirst().orElse(leaf);
            throw new UnsafeEntryException(stray, "the parcel '" + settings.name() + "' must hold exactly one top-level"
                    + " entry, '" + leaf + "'");
        }
        Publisher publisher = new Publisher(settings.local(), settings.versions());
        String relative = publisher.publish(staging.dir(), leaf, leaf, new Publisher.Policy(settings.onConflict(), settings.force(), TYPE_CHANGE_ADVICE));
        return settings.local().resolve(relative);
    }

    private void checkFreeSpace(long bytes) {
        try {
            long usable = Files.getFileStore(settings.stateDir()).getUsableSpace();
            if (usable - bytes < settings.minFreeSpace()) {
                throw new CaravanException("only " + usable + " bytes are free where the chunks go (" + settings.stateDir()
                        + "), and " + settings.minFreeSpace() + " must stay free: make room, or lower --min-free-space;"
                        + " a rerun fetches only what is missing");
            }
        } catch (IOException e) {
            throw new CaravanException("cannot check the free space of " + settings.stateDir() + ": " + e.getMessage(), e);
        }
    }
}
