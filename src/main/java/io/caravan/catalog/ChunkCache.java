package io.caravan.catalog;

import io.caravan.InsufficientStorageException;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.ChunkTarget;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackOptions;
import io.caravan.pack.PackSource;
import io.caravan.pack.Packer;
import io.caravan.pack.SourceReads;
import io.caravan.pack.RawFileParcel;
import io.caravan.pack.PartFileTarget;
import io.caravan.pack.PartFiles;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.Staging;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the chunks a download fetches come from: a published entry packed once, on the first request
 * that needs it, into part files and a manifest under {@code <dir>/<key>/}. Packing is deterministic
 * (sorted entries, whole-second mtimes, the manifest's time set by the caller), so a key that names
 * one state of one entry (its {@code ETag}) always yields the same chunks, and an evicted packing is
 * simply packed again. A packing is written under a temporary name and renamed into place, so a
 * reader sees a complete packing or none; packing holds one chunk in memory whatever the size.
 * The cache keeps at most {@code maxBytes}, evicting the least recently used packings first, and never
 * writes the disk below {@code minFreeBytes} (the receiver's {@code caravan.receiver.min-free-space}): a
 * packing that would is stopped before its next part file, removed, and refused as insufficient storage.
 * <p>
 * Re-creating chunks on demand was chosen over keeping what the sender uploaded: the receiver writes
 * each byte once and drops the chunks at the publish (the extracted tree is the only copy), merges
 * and mirror changes alter published trees without any upload to keep, and a packing made from the
 * published tree describes exactly what a reader would get.
 * <p>
 * The cache folder is opened once, with the two folders above it ({@code .caravan/catalog/cache}), without
 * following a link ({@link ConfinedDir}), and everything below is reached through that open folder: a
 * link planted as one of them is refused when the cache opens, one planted as a packing is removed as a
 * link and the entry packed anew, and a manifest is read with a bound. A cache folder removed while the
 * receiver runs is opened (made) again at the next packing.
 */
public final class ChunkCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkCache.class);
    private static final String PREFIX = "p";
    /** The most a manifest may hold: one of millions of entries. */
    private static final long MAX_MANIFEST = 512L << 20;

    /**
     * The open cache folder: what it was when the cache opened, whatever is renamed since, until it is found
     * removed (then made again, {@link #held()}); {@code dir} is it as a path ({@code /proc/self/fd/N/.}),
     * from which paths below it are resolved.
     */
    private record Held(ConfinedDir folder, Path dir) {
    }

    private volatile Held held;
    /** The cache folder as configured, to make it again when it is removed. */
    private final Path configured;
    /** Folders held before they were found removed: packings read through them may be in flight; closed with the cache. */
    private final List<ConfinedDir> retired = new ArrayList<>();
    private final long maxBytes;
    private final long minFreeBytes;
    private final FileStore store;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    public ChunkCache(Path dir, long maxBytes) throws IOException {
        this(dir, maxBytes, 0);
    }

    /** A cache in {@code dir} of at most {@code maxBytes}, which leaves at least {@code minFreeBytes} free on its disk. */
    public ChunkCache(Path dir, long maxBytes, long minFreeBytes) throws IOException {
        this.configured = dir.toAbsolutePath().normalize();
        ConfinedDir folder = open(configured);
        this.held = new Held(folder, folder.self());
        this.maxBytes = maxBytes;
        this.minFreeBytes = minFreeBytes;
        this.store = Files.getFileStore(dir);
        for (String name : folder.list()) {
            if (name.contains(".tmp-")) {
                folder.deleteTree(name); // a packing a crash interrupted
            }
        }
    }

    /**
     * The cache folder held now; one removed while the receiver runs (a cleanup job's {@code rm -rf} of the
     * state folder) is made again and held instead: the cache holds only what the inbox gives again.
     */
    private Held held() throws IOException {
        Held now = held;
        if (!now.folder().removed()) {
            return now;
        }
        synchronized (this) {
            if (held.folder().removed()) {
                ConfinedDir folder;
                try {
                    folder = open(configured);
                } catch (IOException e) {
                    if (e.getCause() instanceof UnsafePathException unsafe) {
                        throw unsafe; // a link (or a file) put in its place: refused as one (409), never written through
                    }
                    throw e;
                }
                retired.add(held.folder());
                held = new Held(folder, folder.self());
                LOG.warn("catalog: the chunk cache {} was removed while the receiver ran: made again; parcels are packed"
                        + " anew as they are asked for", configured);
            }
            return held;
        }
    }

    /** The cache folder, it and the two above it opened without following a link. */
    private static ConfinedDir open(Path dir) throws IOException {
        Path state = dir.getParent().getParent();
        try (ConfinedDir top = ConfinedDir.openStateFolder(state)) {
            return top.openDirs(dir.getParent().getFileName() + "/" + dir.getFileName());
        } catch (UnsafePathException e) {
            throw new IOException("the chunk cache " + dir + " cannot be opened: " + e.getMessage()
                    + "; remove it, and Caravan creates its own folder there", e);
        }
    }

    /**
     * A complete packing in the cache: its manifest (as served) and its part files; a file served as its
     * own bytes ({@link #fromSource()}) has only its manifest here, its chunks are slices of the file.
     */
    public record Packing(Path prefix, Manifest manifest, String manifestJson) {

        public Path chunk(int index) {
            return PartFiles.part(prefix, index);
        }

        /** Whether chunk {@code i} is bytes {@code i × chunk size} onwards of the published file itself. */
        public boolean fromSource() {
            return manifest.file() != null;
        }
    }

    /** The packing of {@code key}, packing {@code source} as {@code name} with {@code options} when it is not cached. */
    public Packing get(String key, Path source, String name, PackOptions options, String createdAt) throws IOException {
        Object lock = locks.computeIfAbsent(key, k -> new Object());
        synchronized (lock) {
            Held now = held();
            ConfinedDir folder = now.folder();
            Path done = now.dir().resolve(key);
            java.util.Optional<PosixFileAttributes> found = folder.stat(key);
            if (found.isPresent() && !found.get().isDirectory()) {
                LOG.warn("catalog: '{}' in the chunk cache is a {}, not a packing: removed as itself (what it points to is"
                        + " left alone) and packed anew", key, found.get().isSymbolicLink() ? "symbolic link" : "file");
                folder.deleteTree(key);
                found = java.util.Optional.empty();
            }
            if (found.isEmpty()) {
                pack(done, source, name, options, createdAt);
                evict(now.dir(), key);
            }
            folder.setModified(key, FileTime.fromMillis(System.currentTimeMillis()));
            Path prefix = done.resolve(PREFIX);
            String json;
            try (ConfinedDir packing = folder.openDir(key)) {
                json = new String(packing.readSmall(PartFiles.manifest(prefix).getFileName().toString(), MAX_MANIFEST),
                        StandardCharsets.UTF_8);
            }
            return new Packing(prefix, Manifest.fromJson(json), json);
        }
    }

    /**
     * Chunk {@code index} of {@code packing}, opened for reading from its part file through the open cache
     * folder; a part file that is a link (or not a regular file) is refused, never served.
     */
    public java.nio.channels.FileChannel openChunk(Packing packing, int index) throws IOException {
        try (ConfinedDir dir = held().folder().openDir(packing.prefix().getParent().getFileName().toString())) {
            return dir.readChannel(packing.chunk(index).getFileName().toString());
        }
    }

    private void pack(Path done, Path source, String name, PackOptions options, String createdAt) throws IOException {
        Path tmp = done.resolveSibling(done.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            long started = System.nanoTime();
            PartFileTarget target = new PartFileTarget(tmp.resolve(PREFIX));
            ChunkTarget floored = aboveTheFloor(target, name, options.chunkSize());
            LeftOutNames leftOut = new LeftOutNames();
            Packer packer = new Packer(options.withName(name), ProgressListener.NONE, leftOut, SourceReads.confined());
            // a file that travels uncompressed is served as its own bytes, straight from where it is published:
            // only its hashes are kept here, and the client writes it once, where it belongs
            Manifest packed = RawFileParcel.applies(options, source) ? packer.packRawFile(source, ChunkTarget.DISCARD)
                    : packer.packSources(List.of(PackSource.confined(source, name)), floored);
            Manifest manifest = new Manifest(packed.version(), packed.format(), packed.name(), packed.codec(),
                    packed.level(), packed.chunkSize(), packed.totalChunks(), packed.totalSize(), packed.sha256(),
                    packed.entries(), packed.contentBytes(), createdAt, packed.chunks(), packed.file());
            target.writeManifest(manifest);
            Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
            leftOut.report(name);
            LOG.info("catalog: packed '{}' into {} chunks ({} bytes) in {} ms", name, manifest.totalChunks(),
                    manifest.totalSize(), (System.nanoTime() - started) / 1_000_000);
        } finally {
            Staging.deleteTree(tmp);
        }
    }

    /** {@code target}, whose every part file is only begun while a whole chunk more leaves the floor free. */
    private ChunkTarget aboveTheFloor(ChunkTarget target, String name, long chunkSize) {
        return new ChunkTarget() {
            @Override
            public OutputStream open(int index) throws IOException {
                long usable = store.getUsableSpace();
                if (usable - chunkSize < minFreeBytes) {
                    throw new InsufficientStorageException("only " + usable + " bytes are free where '" + name
                            + "' is packed for downloads, below the floor of " + minFreeBytes
                            + " (caravan.receiver.min-free-space) with a chunk more: nothing was kept; retry when there is room"
                            + " (or lower caravan.catalog.cache-size)");
                }
                return target.open(index);
            }

            @Override
            public void completed(ChunkInfo chunk) throws IOException {
                target.completed(chunk);
            }

            @Override
            public void finished(Throwable failure) throws IOException {
                target.finished(failure);
            }
        };
    }

    /** Removes the least recently used packings in {@code dir} (never {@code keep}) until the cache fits its size. */
    private void evict(Path dir, String keep) throws IOException {
        List<Path> packings = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> !p.getFileName().toString().contains(".tmp-"))) {
            for (Path entry : entries) {
                packings.add(entry);
                total += size(entry);
            }
        }
        packings.sort(Comparator.comparing(ChunkCache::lastUsed));
        for (Path packing : packings) {
            if (total <= maxBytes) {
                return;
            }
            if (packing.getFileName().toString().equals(keep)) {
                continue;
            }
            long size = size(packing);
            Staging.deleteTree(packing);
            total -= size;
            LOG.info("catalog: evicted packing {} ({} bytes) to keep the cache under {} bytes", packing.getFileName(), size, maxBytes);
        }
    }

    private static long size(Path packing) throws IOException {
        if (!Files.isDirectory(packing, LinkOption.NOFOLLOW_LINKS)) {
            return 0; // a link is removed as itself: what it points to is not the cache's
        }
        try (Stream<Path> files = Files.list(packing)) {
            long sum = 0;
            for (Path file : files.toList()) {
                sum += Files.size(file);
            }
            return sum;
        } catch (NoSuchFileException gone) {
            return 0;
        }
    }

    private static FileTime lastUsed(Path packing) {
        try {
            return Files.getLastModifiedTime(packing, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Lets go of the cache folder (held open for the cache's lifetime): no packing is served after this. */
    @Override
    public void close() {
        held.folder().close();
        synchronized (this) {
            retired.forEach(ConfinedDir::close);
        }
    }
}
