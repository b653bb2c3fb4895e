package io.caravan.sender;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.pack.PackIterator;
import io.caravan.pack.Packer;
import io.caravan.pack.SourceReads;
import io.caravan.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships one file or folder as a parcel: packs it into chunks on one thread and uploads up to
 * {@code parallel} chunks at once, so memory stays at about {@code chunk-size × (parallel + 3)}.
 * The retry settings' {@link StopSignal} ends a send within moments, leaving it resumable.
 * The shipping engine of every command: {@code caravan send} calls it whole, the {@code ship-http}
 * route calls its steps ({@link #open}, {@link ParcelUpload#put}, {@link ParcelUpload#finish}),
 * {@code caravan sync} its {@link ChunkShipping}.
 */
public final class ParcelSender {

    private static final Logger LOG = LoggerFactory.getLogger(ParcelSender.class);
    /** Sends of one parcel when the receiver refuses references: normal, with a fresh check, without dedup. */
    private static final int REFERENCE_ATTEMPTS = 3;
    /** Finishes answered 409 {@code incomplete} that a send goes on from, sending what the receiver lacks, before it gives up. */
    static final int INCOMPLETE_ATTEMPTS = 3;

    /** What a send did; {@code reads}: what it read of its source (each file once, referenced files not at all). */
    public record Result(String name, JsonNode answer, long sentBytes, long skippedChunks, int chunks, SourceReads reads) {
    }

    private final SenderSettings settings;
    private final ReceiverClient client;
    private final SenderJournal journal;
    private final HashCache cache;
    private final PublishedPlaces places;
    /** Where chunks are uploaded; null: a pool of {@code parallel} threads for each send. */
    private final ExecutorService pool;

    public ParcelSender(SenderSettings settings) throws IOException {
        this(settings, null);
    }

    /** A sender uploading chunks on {@code pool} (a service's pool, owned and stopped by its owner). */
    public ParcelSender(SenderSettings settings, ExecutorService pool) throws IOException {
        this.settings = settings;
        this.pool = pool;
        this.client = new ReceiverClient(settings.url(), settings.token(), java.time.Duration.ofMinutes(5), settings.ssl());
        client.abortOn(settings.retry().stop());
        this.journal = new SenderJournal(settings.stateDir().resolve("journal"));
        this.cache = HashCache.in(settings.stateDir());
        this.places = new PublishedPlaces(settings.stateDir().resolve("published"));
    }

    public ReceiverClient client() {
        return client;
    }

    public ParcelUpload open(Path source, String name) throws IOException {
        return ParcelUpload.open(client, journal, cache, settings, source, name);
    }

    /** As {@link #open(Path, String)}, a new session started with {@code startOptions} too. */
    public ParcelUpload open(Path source, String name, Map<String, Object> startOptions) throws IOException {
        return ParcelUpload.open(client, journal, cache, settings, source, name, startOptions);
    }

    /**
     * Sends the parcel (resuming its journal session if any). A refused reference (the receiver no
     * longer holds content the parcel refers to) sends it again in a new session, after a fresh
     * dedup check, and the third time without dedup, so the parcel ends published as it is.
     */
    public Result send(Path source, String name, ProgressListener listener) throws IOException, InterruptedException {
        return send(source, name, Map.of(), listener);
    }

    /** As {@link #send(Path, String, ProgressListener)}, adding {@code startOptions} to a new session's options. */
    public Result send(Path source, String name, Map<String, Object> startOptions, ProgressListener listener)
            throws IOException, InterruptedException {
        Result result = sendRetryingReferences(source, name, placed(source, name, startOptions), listener);
        if (Boolean.TRUE.equals(startOptions.get("into")) && result.answer().path("path").isTextual()) {
            places.record(source, client.url(), name, result.answer().path("path").asText());
        }
        return result;
    }

    /**
     * With "into" semantics, a source sent under this name before goes where it went then (its own
     * published path, replaced), so running the same command again never nests it in itself.
     */
    private Map<String, Object> placed(Path source, String name, Map<String, Object> startOptions) {
        if (!Boolean.TRUE.equals(startOptions.get("into"))) {
            return startOptions;
        }
        return places.find(source, client.url(), name).map(path -> {
            Map<String, Object> options = new java.util.LinkedHashMap<>(startOptions);
            options.put("name", path);
            options.put("into", false);
            return options;
        }).orElse(startOptions);
    }

    private Result sendRetryingReferences(Path source, String name, Map<String, Object> startOptions, ProgressListener listener)
            throws IOException, InterruptedException {
        SourceReads reads = new SourceReads();
        int incomplete = 0;
        for (int attempt = 1; ; attempt++) {
            SenderSettings current = attempt < REFERENCE_ATTEMPTS ? settings : withoutDedup(settings);
            try {
                Result result = sendOnce(ParcelUpload.open(client, journal, cache, current, source, name, startOptions, reads, true),
                        source, name, listener, reads);
                LOG.info("parcel '{}': {}", name, reads.describe());
                return result;
            } catch (ShipException e) {
                if (e.incomplete() && ++incomplete < INCOMPLETE_ATTEMPTS) {
                    // the receiver dropped chunks it had (its extraction started again from chunk 0 after a chunk it had
                    // read was replaced): the session goes on with what it lacks, as a run of the same command would
                    LOG.warn("parcel '{}': {}; sending what the receiver lacks again", name, e.getMessage());
                    attempt--;
                    continue;
                }
                if (!e.referenceUnavailable() || attempt >= REFERENCE_ATTEMPTS) {
                    throw e;
                }
                LOG.warn("parcel '{}': {}; sending it again{}", name, e.getMessage(),
                        attempt + 1 < REFERENCE_ATTEMPTS ? "" : " without dedup");
            }
        }
    }

    private static SenderSettings withoutDedup(SenderSettings s) {
        return new SenderSettings(s.url(), s.token(), s.pack(), s.parallel(), -1, s.stateDir(), s.retry(), s.ssl());
    }

    private Result sendOnce(ParcelUpload upload, Path source, String name, ProgressListener listener, SourceReads reads)
            throws IOException, InterruptedException {
        if (upload.alreadyPublished()) {
            return new Result(name, upload.finishPublished(), 0, upload.publishedChunks(), upload.publishedChunks(), reads);
        }
        Packer packer = new Packer(settings.pack().withName(name), listener, upload.hooks(), reads);
        ExecutorService own = pool != null ? null : Executors.newFixedThreadPool(settings.parallel(), r -> {
            Thread t = new Thread(r, "caravan-ship-" + name);
            t.setDaemon(true);
            return t;
        });
        StopSignal stop = settings.retry().stop();
        try (PackIterator chunks = upload.raw() ? PackIterator.ofRawFile(packer, source) : new PackIterator(packer, List.of(source))) {
            int count = new ChunkShipping(own != null ? own : pool, settings.parallel(), stop).ship(upload, chunks);
            JsonNode answer = upload.finish(chunks.manifest());
            return new Result(name, answer, upload.sentBytes(), upload.skippedChunks(), count, reads);
        } finally {
            if (own != null) {
                own.shutdownNow();
                own.awaitTermination(stop.raised() ? 1 : 10, TimeUnit.SECONDS);
            }
        }
    }
}
