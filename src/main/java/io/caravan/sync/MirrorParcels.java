package io.caravan.sync;

import io.caravan.pack.Chunk;
import io.caravan.pack.Codecs;
import io.caravan.pack.Compressibility;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackOptions;
import io.caravan.pack.PackSource;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.HashCache;
import io.caravan.sender.ParcelUpload;
import io.caravan.sender.ReceiverClient;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderJournal;
import io.caravan.sender.SenderSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ships chosen entries of the local tree as one parcel applied onto the mirror: every entry with
 * its parent folders (so the mirror's folders get their modes and mtimes), packed and uploaded
 * with verified chunks and retries through {@link ParcelUpload}. A parcel that fails is abandoned
 * on the receiver; the next pass sends its entries again.
 */
public final class MirrorParcels {

    /** Short retries: a lost receiver fails the pass quickly and the watcher re-diffs after a backoff. */
    static final Retry RETRY = new Retry(4, Duration.ofMillis(250), Duration.ofSeconds(2));

    private final SyncSettings settings;
    private final ReceiverClient client;
    private final SenderJournal journal;
    private final HashCache cache;
    private final SenderSettings sender;
    /** For a large file that barely compresses (video, archives): the same parcel without zstd. */
    private final SenderSettings uncompressed;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong sentBytes = new AtomicLong();

    public MirrorParcels(SyncSettings settings, ReceiverClient client) throws IOException {
        this.settings = settings;
        this.client = client;
        this.journal = new SenderJournal(settings.stateDir().resolve("sync-journal"));
        this.cache = HashCache.in(settings.stateDir());
        this.sender = new SenderSettings(settings.url(), settings.token(),
                new PackOptions(Codecs.byName("zstd"), 1, 8L << 20, settings.name()), 1, -1, settings.stateDir(), RETRY);
        this.uncompressed = new SenderSettings(settings.url(), settings.token(),
                new PackOptions(Codecs.byName("none"), 0, 8L << 20, settings.name()), 1, -1, settings.stateDir(), RETRY);
    }

    /** Chunk bytes uploaded so far. */
    public long sentBytes() {
        return sentBytes.get();
    }

    /** Packs and uploads {@code entries} (with their parent folders) and has the receiver apply them. */
    public void ship(List<SyncEntry> entries, ProgressListener listener) throws IOException {
        Path key = settings.root().resolve(".caravan-sync-parcel-" + ProcessHandle.current().pid() + "-" + sequence.incrementAndGet());
        SenderSettings parcel = worthCompressing(entries) ? sender : uncompressed;
        ParcelUpload upload = ParcelUpload.open(client, journal, cache, parcel, key, settings.name(),
                Map.of("kind", "archive", "mode", "apply"));
        boolean done = false;
        try (PackIterator chunks = PackIterator.ofSources(new Packer(parcel.pack(), listener, upload.hooks()), sources(entries))) {
            while (chunks.hasNext()) {
                Chunk chunk = chunks.next();
                upload.put(chunk);
                chunks.recycle(chunk);
            }
            upload.finish(chunks.manifest());
            done = true;
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            sentBytes.addAndGet(upload.sentBytes());
            if (!done) {
                abandon(upload, key);
            }
        }
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
