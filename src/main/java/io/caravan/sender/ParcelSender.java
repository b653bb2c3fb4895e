package io.caravan.sender;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.pack.Chunk;
import io.caravan.pack.PackIterator;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships one file or folder as a parcel: packs it into chunks on one thread and uploads up to
 * {@code parallel} chunks at once, so memory stays at about {@code chunk-size × (parallel + 3)}.
 * The retry settings' {@link StopSignal} ends a send within moments, leaving it resumable.
 * Used by {@code caravan send}; routes compose the same pieces in YAML.
 */
public final class ParcelSender {

    private static final Logger LOG = LoggerFactory.getLogger(ParcelSender.class);
    /** Sends of one parcel when the receiver refuses references: normal, with a fresh check, without dedup. */
    private static final int REFERENCE_ATTEMPTS = 3;

    /** What a send did. */
    public record Result(String name, JsonNode answer, long sentBytes, long skippedChunks, int chunks) {
    }

    private final SenderSettings settings;
    private final ReceiverClient client;
    private final SenderJournal journal;
    private final HashCache cache;
    private final PublishedPlaces places;

    public ParcelSender(SenderSettings settings) throws IOException {
        this.settings = settings;
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
        for (int attempt = 1; ; attempt++) {
            SenderSettings current = attempt < REFERENCE_ATTEMPTS ? settings : withoutDedup(settings);
            try {
                return sendOnce(ParcelUpload.open(client, journal, cache, current, source, name, startOptions), source, name,
                        listener);
            } catch (ShipException e) {
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

    private Result sendOnce(ParcelUpload upload, Path source, String name, ProgressListener listener)
            throws IOException, InterruptedException {
        if (upload.alreadyPublished()) {
            return new Result(name, upload.finishPublished(), 0, upload.publishedChunks(), upload.publishedChunks());
        }
        Packer packer = new Packer(settings.pack().withName(name), listener, upload.hooks());
        ExecutorService pool = Executors.newFixedThreadPool(settings.parallel(), r -> {
            Thread t = new Thread(r, "caravan-ship-" + name);
            t.setDaemon(true);
            return t;
        });
        Semaphore slots = new Semaphore(settings.parallel());
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        StopSignal stop = settings.retry().stop();
        String what = "the upload of '" + name + "' in session " + upload.sessionId();
        int count = 0;
        try (PackIterator chunks = new PackIterator(packer, List.of(source))) {
            while (chunks.hasNext() && failure.get() == null) {
                Chunk chunk = chunks.next();
                count++;
                acquire(slots, 1, stop, what);
                pool.execute(() -> {
                    try {
                        upload.put(chunk);
                        chunks.recycle(chunk);
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        slots.release();
                    }
                });
            }
            acquire(slots, settings.parallel(), stop, what);
            stop.check(what);
            if (failure.get() != null) {
                throw failure.get();
            }
            JsonNode answer = upload.finish(chunks.manifest());
            return new Result(name, answer, upload.sentBytes(), upload.skippedChunks(), count);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(stop.raised() ? 1 : 10, TimeUnit.SECONDS);
        }
    }

    /** Waits for free upload slots; a raised stop ends the wait (the requests in flight are being aborted). */
    private static void acquire(Semaphore slots, int permits, StopSignal stop, String what) throws InterruptedException {
        while (!slots.tryAcquire(permits, 100, TimeUnit.MILLISECONDS)) {
            stop.check(what);
        }
    }
}
