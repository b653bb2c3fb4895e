package io.caravan.sender;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.pack.Chunk;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackHooks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One parcel's upload session, new or resumed from the {@link SenderJournal}. A resumed upload
 * knows what the receiver holds (index → SHA-256) and skips chunks it already has with the same
 * hash; a chunk that changed since (the source changed while paused) is sent again and replaces it.
 * Thread-safe for parallel {@link #put} calls.
 */
public final class ParcelUpload {

    private static final Logger LOG = LoggerFactory.getLogger(ParcelUpload.class);

    private final ReceiverClient client;
    private final SenderJournal journal;
    private final Retry retry;
    private final Path source;
    private final String name;
    private final String sessionId;
    private final Map<Integer, String> held;
    private final DedupPlan dedup;
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicLong skippedChunks = new AtomicLong();

    private ParcelUpload(ReceiverClient client, SenderJournal journal, Retry retry, Path source, String name,
                         String sessionId, Map<Integer, String> held, DedupPlan dedup) {
        this.client = client;
        this.journal = journal;
        this.retry = retry;
        this.source = source;
        this.name = name;
        this.sessionId = sessionId;
        this.held = held;
        this.dedup = dedup;
    }

    /** Resumes the journal's session for this parcel if the receiver still has it, else starts one. */
    public static ParcelUpload open(ReceiverClient client, SenderJournal journal, HashCache cache,
                                    SenderSettings settings, Path source, String name) throws IOException {
        return open(client, journal, cache, settings, source, name, Map.of());
    }

    /** As {@link #open}, adding {@code extraOptions} to a new session's start options (e.g. a mirror's {@code mode}). */
    public static ParcelUpload open(ReceiverClient client, SenderJournal journal, HashCache cache, SenderSettings settings,
                                    Path source, String name, Map<String, Object> extraOptions) throws IOException {
        Retry retry = settings.retry();
        var entry = journal.find(source, client.url(), name);
        if (entry.isPresent()) {
            try {
                Map<Integer, String> held = retry.call("status of " + name, () -> client.status(entry.get().sessionId()));
                LOG.info("resuming parcel '{}' in session {}: the receiver holds {} chunks", name, entry.get().sessionId(), held.size());
                return new ParcelUpload(client, journal, retry, source, name, entry.get().sessionId(), held,
                        DedupPlan.of(cache, settings.dedupMinSize(), entry.get().references()));
            } catch (ShipException e) {
                if (!e.sessionLost()) {
                    throw e;
                }
                LOG.info("session {} of parcel '{}' is gone ({}); starting a new one", entry.get().sessionId(), name, e.status());
            }
        }
        DedupPlan dedup = settings.dedupMinSize() < 0 ? DedupPlan.of(cache, Long.MAX_VALUE, List.of())
                : retry.call("dedup check of " + name, () -> {
                    try {
                        return DedupPlan.ask(client, cache, settings.dedupMinSize(), source);
                    } catch (IOException e) {
                        throw new ShipException(0, "cannot scan " + source + ": " + e.getMessage(), e);
                    }
                });
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("name", name);
        options.put("codec", settings.pack().codec().name());
        options.put("chunk_size", settings.pack().chunkSize());
        options.putAll(extraOptions);
        JsonNode started = retry.call("start of " + name, () -> client.start(options));
        String sid = started.path("session_id").asText();
        journal.record(source, new SenderJournal.Entry(source.toAbsolutePath().normalize().toString(), client.url(), name, sid,
                dedup.references()));
        LOG.info("parcel '{}': session {} started{}", name, sid,
                dedup.references().isEmpty() ? "" : ", " + dedup.references().size() + " files sent as references");
        return new ParcelUpload(client, journal, retry, source, name, sid, Map.of(), dedup);
    }

    public String sessionId() {
        return sessionId;
    }

    /** Hooks for packing: reference entries for stored content, hashing of large files. */
    public PackHooks hooks() {
        return dedup;
    }

    /** Uploads the chunk unless the receiver already holds it with the same hash; retries per the budget. */
    public void put(Chunk chunk) {
        put(chunk.index(), chunk.data(), chunk.sha256());
    }

    public void put(int index, byte[] data, String sha256) {
        retry.run("chunk " + index + " of " + name, () -> putOnce(index, data, sha256));
    }

    /** One attempt, for routes whose error handler does the retrying. */
    public void putOnce(int index, byte[] data, String sha256) {
        if (sha256.equals(held.get(index))) {
            skippedChunks.incrementAndGet();
            return;
        }
        String what = "chunk " + index + " of " + name;
        retry.stop().check(what);
        try {
            client.put(sessionId, index, data, sha256);
        } catch (ShipException e) {
            retry.stop().check(what);
            throw e;
        }
        sentBytes.addAndGet(data.length);
    }

    /** Finishes the session with the manifest; the receiver verifies and publishes. */
    public JsonNode finish(Manifest manifest) throws IOException {
        JsonNode answer = retry.call("finish of " + name, () -> client.finish(sessionId, manifest.toJson()));
        journal.remove(source, client.url(), name);
        LOG.info("parcel '{}' published as {} ({} bytes sent, {} chunks already there)", name,
                answer.path("path").asText(), sentBytes.get(), skippedChunks.get());
        return answer;
    }

    public long sentBytes() {
        return sentBytes.get();
    }

    public long skippedChunks() {
        return skippedChunks.get();
    }
}
