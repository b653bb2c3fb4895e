package io.caravan.sync;

import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.Compressibility;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackOptions;
import io.caravan.pack.PackSource;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.ChunkMemory;
import io.caravan.sender.ChunkShipping;
import io.caravan.sender.HashCache;
import io.caravan.sender.ParcelUpload;
import io.caravan.sender.ReceiverClient;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderJournal;
import io.caravan.sender.SenderSettings;
import io.caravan.sender.ShipException;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships chosen entries of the local tree as one parcel applied onto the mirror: every entry with
 * its parent folders (so the mirror's folders get their modes and mtimes), packed and uploaded
 * with verified chunks and retries through {@link ParcelUpload} and {@link ChunkShipping}, the engine
 * {@code caravan send} ships with. A parcel's journal key depends only on its entries' paths and
 * codec, so a parcel interrupted by a lost connection, a kill or a stop is resumed from the receiver's chunks by the next pass that ships the same entries, in this
 * process or the next; a parcel the receiver refused is abandoned. Before it packs, a parcel
 * reserves what its chunks may keep in memory from a {@link ChunkMemory} shared by the process, so
 * the workers of a pass wait for one another's memory instead of running the heap out. Sessions of parcels no pass
 * ships any more are deleted on the receiver ({@link #forgetAllBut}), so they never pile up.
 */
public final class MirrorParcels {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorParcels.class);
    private static final String KEY_PREFIX = ".caravan-sync-parcel-";

    /** One chunk at a time per parcel: the pass ships {@code workers} parcels at once. */
    private static final ChunkShipping ONE_AT_A_TIME = new ChunkShipping(Runnable::run, 1, Retry.MIRROR.stop());

    private final SyncSettings settings;
    private final ReceiverClient client;
    private final SenderJournal journal;
    private final HashCache cache;
    private final SenderSettings sender;
    /** What the chunks of the parcels packed at once may keep in memory, shared with the process's other mirrors. */
    private final ChunkMemory memory;
    /** For a large file that barely compresses (video, archives): the same parcel without zstd. */
    private final SenderSettings uncompressed;
    private final AtomicLong sentBytes = new AtomicLong();

    public MirrorParcels(SyncSettings settings, ReceiverClient client) throws IOException {
        this(settings, client, ChunkMemory.HEAP, Runtime.getRuntime().maxMemory());
    }

    /**
     * Parcels whose chunks take turns for {@code memory}, a budget out of a heap of {@code maxHeap};
     * settings with which not even one parcel fits in it are refused here, before anything is sent.
     */
    public MirrorParcels(SyncSettings settings, ReceiverClient client, ChunkMemory memory, long maxHeap) throws IOException {
        this.settings = settings;
        this.memory = memory;
        this.client = client;
        this.journal = new SenderJournal(settings.stateDir().resolve("sync-journal"));
        this.cache = HashCache.in(settings.stateDir());
        Codec codec = settings.codec();
        // plain zstd keeps the level sync always used; auto adapts up to its highest level
        int level = codec.name().equals("zstd") ? 1 : codec.defaultLevel();
        this.sender = new SenderSettings(settings.url(), settings.token(),
                new PackOptions(codec, level, 8L << 20, settings.name()).withExactTimes(true), 1, -1, settings.stateDir(), Retry.MIRROR, settings.ssl());
        this.uncompressed = new SenderSettings(settings.url(), settings.token(),
                new PackOptions(Codecs.byName("none"), 0, 8L << 20, settings.name()).withExactTimes(true), 1, -1, settings.stateDir(), Retry.MIRROR, settings.ssl());
        sender.requireMemory(memory, settings.workers(), maxHeap);
    }

    /** The budget the parcels' chunks take turns for. */
    public ChunkMemory memory() {
        return memory;
    }

    /** What a parcel of one large file reserves of {@link #memory()}: the most any parcel does. */
    public long largestReservation() {
        return sender.chunkMemory(Long.MAX_VALUE);
    }

    /** Chunk bytes uploaded so far. */
    public long sentBytes() {
        return sentBytes.get();
    }

    /**
     * Packs and uploads {@code entries} (with their parent folders) and has the receiver apply them;
     * returns how many chunks the receiver already held from an interrupted upload of the same parcel.
     */
    public long ship(List<SyncEntry> entries, ProgressListener listener) throws IOException {
        SenderSettings parcel = sender.pack().codec().name().equals("none") || worthCompressing(entries) ? sender : uncompressed;
        try (ChunkMemory.Reservation reserved = memory.reserve(parcel.chunkMemory(streamBound(entries)), parcel.retry().stop(),
                "the parcel of mirror '" + settings.name() + "'")) {
            return ship(entries, listener, parcel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("the parcel of mirror '" + settings.name() + "' was interrupted waiting for memory");
        }
    }

    /**
     * At most the bytes of the chunk stream of {@code entries}: their files' bytes, and for each entry
     * (and a folder above it) a few KiB of headers and padding; a stream compressed is shorter, one of
     * data that does not compress hardly longer.
     */
    private static long streamBound(List<SyncEntry> entries) {
        long files = entries.stream().filter(e -> e.type() == SyncEntry.Type.FILE).mapToLong(SyncEntry::size).sum();
        return files + files / 64 + 8192L * entries.size();
    }

    private long ship(List<SyncEntry> entries, ProgressListener listener, SenderSettings parcel) throws IOException {
        Path key = settings.root().resolve(KEY_PREFIX + parcelId(entries) + "-" + parcel.pack().codec().name());
        ParcelUpload upload = ParcelUpload.open(client, journal, cache, parcel, key, settings.name(),
                Map.of("kind", "archive", "mode", "apply"));
        boolean done = false;
        boolean resumable = true;
        try (PackIterator chunks = PackIterator.ofSources(new Packer(parcel.pack(), listener, upload.hooks()), sources(entries))) {
            ONE_AT_A_TIME.ship(upload, chunks);
            upload.finish(chunks.manifest());
            done = true;
            return upload.skippedChunks();
        } catch (RuntimeException e) {
            resumable = resumable(e);
            throw new IOException(e.getMessage(), e);
        } catch (IOException e) {
            resumable = resumable(e);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("the upload of parcel '" + settings.name() + "' was interrupted");
        } finally {
            sentBytes.addAndGet(upload.sentBytes());
            if (!done && !resumable) {
                abandon(upload, key);
            }
        }
    }

    /**
     * The journal identity of a parcel of these entries, whatever their order: the same entries give
     * the same id in every pass and process, so an interrupted parcel is found again.
     */
    static String parcelId(List<SyncEntry> entries) {
        byte[] paths = String.join("\n", new TreeSet<>(entries.stream().map(SyncEntry::path).toList()))
                .getBytes(StandardCharsets.UTF_8);
        return Sha256.of(paths, 0, paths.length).substring(0, 24);
    }

    /**
     * Deletes on the receiver the sessions the journal holds for this mirror whose parcel id is not
     * in {@code kept} (no parcel of this pass can resume them), and forgets them. A session that
     * cannot be deleted now (receiver unreachable) stays in the journal for the next pass.
     */
    public void forgetAllBut(Set<String> kept) throws IOException {
        String prefix = settings.root().resolve(KEY_PREFIX).toString();
        for (SenderJournal.Entry entry : journal.entries()) {
            if (!entry.url().equals(client.url()) || !entry.name().equals(settings.name()) || !entry.source().startsWith(prefix)) {
                continue;
            }
            String rest = entry.source().substring(prefix.length());
            if (rest.lastIndexOf('-') > 0 && kept.contains(rest.substring(0, rest.lastIndexOf('-')))) {
                continue;
            }
            try {
                client.delete(entry.sessionId());
                journal.remove(Path.of(entry.source()), entry.url(), entry.name());
            } catch (ShipException e) {
                LOG.debug("session {} of an earlier parcel of mirror '{}' not deleted yet: {}", entry.sessionId(), settings.name(),
                        e.getMessage());
            }
        }
    }

    /** A failure trying again can fix: the receiver unreachable, busy or stopping, or this process interrupted. */
    private static boolean resumable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ShipException ship) {
                return ship.retryable();
            }
            if (t instanceof InterruptedIOException || t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /** A parcel of one large file (and maybe folders) is sent uncompressed when samples of the file barely compress. */
    private boolean worthCompressing(List<SyncEntry> entries) {
        List<SyncEntry> files = entries.stream().filter(e -> e.type() != SyncEntry.Type.DIR).toList();
        if (files.size() != 1 || files.get(0).type() != SyncEntry.Type.FILE
                || files.get(0).size() < ParcelBatcher.DEFAULT.largeFile()) {
            return true;
        }
        try {
            return Compressibility.worthCompressing(settings.root().resolve(files.get(0).path()));
        } catch (IOException e) {
            return true; // unreadable now: packing it reports the problem
        }
    }

    private void abandon(ParcelUpload upload, Path key) {
        try {
            journal.remove(key, client.url(), settings.name());
            upload.forgetLevels();
            client.delete(upload.sessionId());
        } catch (IOException | RuntimeException e) {
            // the receiver expires it; nothing depends on it
        }
    }

    /** The entries and every folder above them, parents first, as single (non-recursive) pack sources. */
    List<PackSource> sources(List<SyncEntry> entries) {
        TreeSet<String> paths = new TreeSet<>();
        for (SyncEntry entry : entries) {
            paths.add(entry.path());
            for (String p = SyncEntry.parent(entry.path()); p != null && paths.add(p); p = SyncEntry.parent(p)) {
                // adds each missing ancestor once
            }
        }
        List<PackSource> sources = new ArrayList<>();
        for (String path : paths) {
            sources.add(PackSource.entry(settings.root(), path));
        }
        return sources;
    }
}
