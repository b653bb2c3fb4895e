package io.caravan.sender;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.pack.Chunk;
import io.caravan.pack.ChunkTarget;
import io.caravan.pack.LevelLog;
import io.caravan.pack.LinkWaits;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackHooks;
import io.caravan.pack.Packer;
import io.caravan.pack.RawFileParcel;
import io.caravan.pack.SourceReads;
import io.caravan.progress.ProgressListener;
import io.caravan.util.FileIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One parcel's upload session, new or resumed from the {@link SenderJournal}. A resumed upload
 * knows what the receiver holds (index → SHA-256) and skips chunks it already has with the same
 * hash; a chunk that changed since (the source changed while paused) is sent again and replaces it.
 * A journal session the receiver reports as finished (the sender stopped after the publish, before
 * it noted it) is complete without sending anything, provided the source still packs to the
 * published stream; otherwise the parcel goes into a new session. So does a parcel started with other
 * options than its journal session was (another place, a mirror's mode). Other publish options alone
 * ({@code --force}, {@code --on-conflict} after a finish refused for a taken name) keep the session and
 * its chunks: a resumed session's finish gives the publish options of this run again, which replace those
 * it was started with. Thread-safe for parallel {@link #put} calls.
 */
public final class ParcelUpload {

    private static final Logger LOG = LoggerFactory.getLogger(ParcelUpload.class);
    /** The receiver's kind of session for one file sent as its own bytes. */
    private static final String RAW_KIND = "raw";

    private final ReceiverClient client;
    private final SenderJournal journal;
    private final Retry retry;
    private final Path source;
    private final String name;
    private final String sessionId;
    private final Map<Integer, String> held;
    private final DedupPlan dedup;
    /** The dedup plan's hooks, with this session's {@link LevelLog} for an adaptive codec. */
    private final PackHooks hooks;
    private final Path levelsFile;
    /** The receiver's publish result when this session was already published, else null. */
    private final JsonNode published;
    /** The manifest of the stream regenerated to confirm an earlier publish, else null. */
    private final Manifest republished;
    /** Whether the session is raw: the source is one file sent as its own bytes ({@link RawFileParcel}). */
    private final boolean raw;
    /** The publish options the finish gives again (those of this run, for a resumed session), or none. */
    private final Map<String, String> finishOptions;
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicLong skippedChunks = new AtomicLong();
    private final AtomicInteger sentChunks = new AtomicInteger();
    /** The source's bytes as {@link SourceSize} counts them, once, when first asked; null until then or when uncountable. */
    private volatile Long sourceBytes;
    private volatile boolean sourceCounted;

    private ParcelUpload(ReceiverClient client, SenderJournal journal, Retry retry, Path source, String name,
                         String sessionId, Map<Integer, String> held, DedupPlan dedup, JsonNode published,
                         Manifest republished, Path stateDir, boolean raw, Map<String, String> finishOptions)
            throws IOException {
        this.raw = raw;
        this.finishOptions = finishOptions;
        this.client = client;
        this.journal = journal;
        this.retry = retry;
        this.source = source;
        this.name = name;
        this.sessionId = sessionId;
        this.held = held;
        this.dedup = dedup;
        this.levelsFile = levelsFile(stateDir, sessionId);
        this.hooks = withLevels(dedup, levelsFile == null ? LevelLog.inMemory() : LevelLog.in(levelsFile), new LinkWaits());
        this.published = published;
        this.republished = republished;
    }

    /**
     * Resumes the journal's session for this parcel if the receiver still has it and it was started
     * with the same publish options, else starts one.
     */
    public static ParcelUpload open(ReceiverClient client, SenderJournal journal, HashCache cache,
                                    SenderSettings settings, Path source, String name) throws IOException {
        return open(client, journal, cache, settings, source, name, Map.of());
    }

    /** As {@link #open}, adding {@code extraOptions} to a new session's start options (e.g. a mirror's {@code mode}). */
    public static ParcelUpload open(ReceiverClient client, SenderJournal journal, HashCache cache, SenderSettings settings,
                                    Path source, String name, Map<String, Object> extraOptions) throws IOException {
        return open(client, journal, cache, settings, source, name, extraOptions, new SourceReads(), false);
    }

    /**
     * As {@link #open}; a source packed again to compare it with a publish (see {@link #alreadyPublished()})
     * is read through {@code reads}, the send's count of what it read. With {@code rawIfItApplies}, a
     * single file that would not be compressed and is not sent as a reference goes in a raw session
     * ({@link #raw()}): the caller then packs it with {@link io.caravan.pack.PackIterator#ofRawFile}.
     */
    public static ParcelUpload open(ReceiverClient client, SenderJournal journal, HashCache cache, SenderSettings settings,
                                    Path source, String name, Map<String, Object> extraOptions, SourceReads reads,
                                    boolean rawIfItApplies) throws IOException {
        Retry retry = settings.retry();
        boolean rawSource = rawIfItApplies && !extraOptions.containsKey("mode") && RawFileParcel.applies(settings.pack(), source);
        var entry = journal.find(source, client.url(), name);
        if (entry.isPresent()) {
            String sid = entry.get().sessionId();
            DedupPlan plan = DedupPlan.of(cache, settings.dedupMinSize(), entry.get().references(), client.url());
            try {
                long maxChunks = maxChunks(source, settings.pack().chunkSize());
                ReceiverClient.SessionStatus status = retry.call("status of " + name, () -> client.status(sid, maxChunks));
                // a session that published already is judged by what it published, whatever the options now
                // (a name that was free then may be the published folder now, which "into" would send into)
                if (!status.finished() && !entry.get().servesOptions(extraOptions)) {
                    // its finish gives the publish options again, but not the place or a mirror's mode
                    LOG.info("parcel '{}' is to be started with other options ({}) than session {} was"
                            + " ({}): it is dropped and a new one started", name, extraOptions, sid,
                            entry.get().options() == null ? "not recorded" : entry.get().options());
                    drop(client, journal, settings, source, name, sid);
                    return open(client, journal, cache, settings, source, name, extraOptions, reads, rawIfItApplies);
                }
                boolean raw = rawSource && plan.references().isEmpty();
                if (!status.finished() && raw != RAW_KIND.equals(status.kind())) {
                    LOG.info("parcel '{}' is now sent {}: session {} is dropped and a new one started", name,
                            raw ? "as its own bytes" : "packed", sid);
                    drop(client, journal, settings, source, name, sid);
                    return open(client, journal, cache, settings, source, name, extraOptions, reads, rawIfItApplies);
                }
                if (!status.finished()) {
                    LOG.info("resuming parcel '{}' in session {}: the receiver holds {} chunks", name, sid, status.held().size());
                    return new ParcelUpload(client, journal, retry, source, name, sid, status.held(), plan, null, null,
                            settings.stateDir(), raw, finishOptions(extraOptions));
                }
                Manifest again = regenerated(settings, source, name, withLevels(plan, levels(settings.stateDir(), sid), LinkWaits.NONE),
                        status.published().path("sha256").asText(), reads, raw);
                if (again != null) {
                    LOG.info("parcel '{}' was already published as {} in session {}: nothing to send", name,
                            status.published().path("path").asText(), sid);
                    return new ParcelUpload(client, journal, retry, source, name, sid, Map.of(), plan, status.published(), again,
                            settings.stateDir(), raw, Map.of());
                }
                journal.remove(source, client.url(), name);
                forget(levelsFile(settings.stateDir(), sid));
                LOG.info("parcel '{}' was published as {} in session {}, but its source changed since; sending it again",
                        name, status.published().path("path").asText(), sid);
            } catch (ShipException e) {
                if (!e.sessionLost()) {
                    throw e;
                }
                LOG.info("session {} of parcel '{}' is gone ({}); starting a new one", sid, name, e.status());
                forget(levelsFile(settings.stateDir(), sid));
            }
        }
        DedupPlan dedup = settings.dedupMinSize() < 0 ? DedupPlan.of(cache, Long.MAX_VALUE, List.of(), client.url())
                : retry.call("dedup check of " + name, () -> {
                    try {
                        return DedupPlan.ask(client, cache, settings.dedupMinSize(), source);
                    } catch (IOException e) {
                        throw new ShipException(0, "cannot scan " + source + ": " + e.getMessage(), e);
                    }
                });
        boolean raw = rawSource && dedup.references().isEmpty();
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("name", name);
        if (raw) {
            options.put("kind", RAW_KIND);
        } else {
            options.put("codec", settings.pack().codec().name());
        }
        options.put("chunk_size", settings.pack().chunkSize());
        Long size = SourceSize.of(source);
        if (size != null) {
            options.put("size", size); // for the receiver's console: progress and ETA
        }
        options.putAll(extraOptions);
        JsonNode started = retry.call("start of " + name, () -> client.start(options));
        String sid = started.path("session_id").asText();
        journal.record(source, new SenderJournal.Entry(source.toAbsolutePath().normalize().toString(), client.url(), name, sid,
                dedup.references(), extraOptions));
        LOG.info("parcel '{}': session {} started{}", name, sid, raw ? ", the file sent as its own bytes"
                : dedup.references().isEmpty() ? "" : ", " + dedup.references().size() + " files sent as references");
        return new ParcelUpload(client, journal, retry, source, name, sid, Map.of(), dedup, null, null, settings.stateDir(), raw,
                Map.of());
    }

    /**
     * The most chunks a session of {@code source} in chunks of {@code chunkSize} is taken to hold, which
     * bounds how much of its status answer is read: twice its bytes in chunks (a stream that compresses
     * nothing and carries the tar's headers stays well below that), and at least 10,000.
     */
    static long maxChunks(Path source, long chunkSize) {
        Long bytes = SourceSize.of(source);
        long chunks = bytes == null ? 0 : bytes / Math.max(1, chunkSize) + 1;
        return Math.max(10_000, 2 * chunks);
    }

    /**
     * The publish options of {@code extraOptions} as a finish gives them again: {@code force} always (so the
     * receiver reads them as a whole set, as its start does), {@code on_conflict} when given (else the
     * receiver's default).
     */
    private static Map<String, String> finishOptions(Map<String, Object> extraOptions) {
        Map<String, String> options = new LinkedHashMap<>();
        if (extraOptions.get("on_conflict") != null) {
            options.put("on_conflict", extraOptions.get("on_conflict").toString());
        }
        options.put("force", String.valueOf(Boolean.TRUE.equals(extraOptions.get("force"))));
        return options;
    }

    /** Forgets the journal's session {@code sid} of this parcel and deletes it on the receiver (or lets it expire there). */
    private static void drop(ReceiverClient client, SenderJournal journal, SenderSettings settings, Path source, String name,
                             String sid) throws IOException {
        journal.remove(source, client.url(), name);
        forget(levelsFile(settings.stateDir(), sid));
        try {
            client.delete(sid);
        } catch (ShipException ignored) {
            // it expires on the receiver
        }
    }

    /**
     * The manifest of the source packed again as it was sent (same options, same references), if
     * its stream is the one published with {@code publishedSha256}; null when it differs, the
     * source is gone or unreadable. Nothing goes on the wire.
     */
    private static Manifest regenerated(SenderSettings settings, Path source, String name, PackHooks plan,
                                        String publishedSha256, SourceReads reads, boolean raw) {
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            Packer packer = new Packer(settings.pack().withName(name), ProgressListener.NONE, plan, reads);
            Manifest manifest = raw ? packer.packRawFile(source, ChunkTarget.DISCARD) : packer.pack(List.of(source), ChunkTarget.DISCARD);
            return manifest.sha256().equals(publishedSha256) ? manifest : null;
        } catch (IOException e) {
            LOG.info("parcel '{}' cannot be packed again to compare it with its publish ({})", name, e.getMessage());
            return null;
        }
    }

    /** Where the levels an adaptive codec chose for a session are kept (null without a state folder). */
    private static Path levelsFile(Path stateDir, String sessionId) {
        return stateDir == null ? null : stateDir.resolve("levels").resolve(sessionId.replaceAll("[^A-Za-z0-9_.-]", "_"));
    }

    private static LevelLog levels(Path stateDir, String sessionId) throws IOException {
        Path file = levelsFile(stateDir, sessionId);
        return file == null ? LevelLog.inMemory() : LevelLog.in(file);
    }

    private static void forget(Path levelsFile) {
        try {
            if (levelsFile != null) {
                Files.deleteIfExists(levelsFile);
            }
        } catch (IOException e) {
            LOG.debug("{} not deleted: {}", levelsFile, e.getMessage());
        }
    }

    /**
     * {@code dedup}'s hooks, with {@code levels} as the log of an adaptive codec's levels and
     * {@code waits} where the shipping notes the link's pace for it.
     */
    private static PackHooks withLevels(PackHooks dedup, LevelLog levels, LinkWaits waits) {
        return new PackHooks() {
            @Override
            public Optional<String> reference(Path file, FileIdentity identity) {
                return dedup.reference(file, identity);
            }

            @Override
            public long hashFilesFrom() {
                return dedup.hashFilesFrom();
            }

            @Override
            public void hashed(Path file, FileIdentity identity, long seenMillis, String sha256) {
                dedup.hashed(file, identity, seenMillis, sha256);
            }

            @Override
            public void hashedByReceiver(Path file, FileIdentity identity, long seenMillis) {
                dedup.hashedByReceiver(file, identity, seenMillis);
            }

            @Override
            public LevelLog levels() {
                return levels;
            }

            @Override
            public LinkWaits linkWaits() {
                return waits;
            }
        };
    }

    /** Whether the source goes as one file's own bytes: pack it with {@link io.caravan.pack.PackIterator#ofRawFile}. */
    public boolean raw() {
        return raw;
    }

    /** Whether the receiver had published this parcel already (see {@link #finishPublished()}). */
    public boolean alreadyPublished() {
        return published != null;
    }

    /** For an upload that was {@link #alreadyPublished()}: the publish result, noted in the journal; no packing needed. */
    public JsonNode finishPublished() throws IOException {
        return finish(republished);
    }

    /** Chunks of the stream regenerated for an {@link #alreadyPublished()} upload, else 0. */
    public int publishedChunks() {
        return republished == null ? 0 : republished.totalChunks();
    }

    public String sessionId() {
        return sessionId;
    }

    /** The file or folder this parcel is packed from. */
    public Path source() {
        return source;
    }

    /** The parcel's name on the receiver. */
    public String name() {
        return name;
    }

    /** Hooks for packing: reference entries for stored content, hashing of large files, the levels of {@code auto}. */
    public PackHooks hooks() {
        return hooks;
    }

    /** ", zstd levels 1 to 6 in 12 segments, 3 stored" for a parcel packed with auto, else empty. */
    static String levelSummary(LevelLog log) {
        List<Integer> levels = log.levels();
        List<Integer> compressed = levels.stream().filter(l -> l != LevelLog.STORE).toList();
        if (levels.isEmpty()) {
            return "";
        }
        String range = compressed.isEmpty() ? "none" : compressed.stream().min(Integer::compare).get() + " to "
                + compressed.stream().max(Integer::compare).get();
        return ", zstd levels " + range + " in " + levels.size() + " segments, " + (levels.size() - compressed.size())
                + " stored";
    }

    /** The dedup plan of this upload: which files travel as references. */
    public DedupPlan dedup() {
        return dedup;
    }

    /** Deletes the record of this session's levels (the session is finished or dropped). */
    public void forgetLevels() {
        forget(levelsFile);
    }

    /** Uploads the chunk unless the receiver already holds it with the same hash; retries per the budget. */
    public void put(Chunk chunk) {
        put(chunk.index(), chunk.data(), chunk.sha256());
    }

    public void put(int index, byte[] data, String sha256) {
        retry.run("chunk " + index + " of " + name, () -> putOnce(index, data, sha256));
    }

    private void putOnce(int index, byte[] data, String sha256) {
        if (published != null || sha256.equals(held.get(index))) {
            skippedChunks.incrementAndGet();
            return;
        }
        String what = "chunk " + index + " of " + name;
        retry.stop().check(what);
        try {
            // before the upload frees its slot: a chunk waiting for the slot waited that long for the receiver
            ReceiverClient.ChunkAnswer answer = client.put(sessionId, index, data, sha256);
            hooks.linkWaits().bodyArrived(data.length, answer.bodyNanos(), answer.workNanos());
            hooks.linkWaits().answeredAfterWork(answer.workNanos());
        } catch (ShipException e) {
            retry.stop().check(what);
            throw e;
        }
        sentBytes.addAndGet(data.length);
        sentChunks.incrementAndGet();
    }

    /**
     * Finishes the session with the manifest; the receiver verifies and publishes. When it refuses a
     * reference entry ({@link ShipException#referenceUnavailable()}), the session is dropped (here
     * and on the receiver) so the parcel can be sent again, with that content, in a new one.
     */
    public JsonNode finish(Manifest manifest) throws IOException {
        if (published != null) {
            journal.remove(source, client.url(), name);
            forgetLevels();
            if (!published.path("sha256").asText().equals(manifest.sha256())) {
                throw new ShipException(409, "parcel '" + name + "' changed while it was read again after its publish as "
                        + published.path("path").asText() + "; send it again", null);
            }
            return published;
        }
        JsonNode answer;
        try {
            answer = retry.call("finish of " + name, () -> client.finish(sessionId, manifest.toJson(), finishOptions));
        } catch (ShipException e) {
            if (e.referenceUnavailable()) {
                // this session's stream names content the receiver no longer holds: it cannot finish, drop it
                LOG.info("parcel '{}': the receiver no longer holds {} sent as references; session {} is dropped",
                        name, e.references(), sessionId);
                journal.remove(source, client.url(), name);
                forgetLevels();
                try {
                    client.delete(sessionId);
                } catch (ShipException ignored) {
                    // it expires on the receiver
                }
            }
            throw e;
        }
        journal.remove(source, client.url(), name);
        forgetLevels();
        String answered = answer.path("sha256").asText("");
        if (manifest.sha256() != null && !manifest.sha256().equals(answered)) {
            throw new ShipException(409, "the receiver answered the finish of '" + name + "' with the stream SHA-256 "
                    + (answered.isEmpty() ? "(none)" : answered) + ", not the " + manifest.sha256() + " of what was sent:"
                    + " it did not publish this parcel; check the receiver (is --to the right address?) and send again", null);
        }
        String malformed = malformedFinishAnswer(answer, manifest);
        if (malformed != null) {
            throw new UnreadableAnswerException("the receiver answered the finish of '" + name + "' with " + malformed
                    + ": it did not say that it published this parcel; check the receiver (is --to the right address?)"
                    + " and send again");
        }
        if (raw) {
            dedup.receiverHashed(answer.path("sha256").asText(null)); // not hashed whole here: one SHA-256 pass per byte
        }
        LOG.info("parcel '{}' published as {} ({} bytes sent, {} chunks already there{})", name,
                answer.path("path").asText(), sentBytes.get(), skippedChunks.get(), levelSummary(hooks.levels()));
        return answer;
    }

    /**
     * What is wrong with a finish answer, or null: it must name what was published, and for a raw
     * session (whose whole-file SHA-256 only the receiver computes) give a SHA-256 of 64 hex digits and
     * the file's size as its bytes.
     */
    private String malformedFinishAnswer(JsonNode answer, Manifest manifest) {
        if (!answer.path("path").isTextual() || answer.path("path").asText().isEmpty()) {
            return "no published name (" + BoundedAnswer.excerpt(answer.toString()) + ")";
        }
        if (!raw) {
            return null;
        }
        String sha256 = answer.path("sha256").asText("");
        if (!sha256.matches("[0-9a-f]{64}")) {
            return "the SHA-256 '" + BoundedAnswer.excerpt(sha256) + "', not 64 hex digits";
        }
        if (!answer.path("bytes").canConvertToLong() || answer.path("bytes").asLong() != manifest.totalSize()) {
            return "bytes " + BoundedAnswer.excerpt(answer.path("bytes").toString()) + ", not the " + manifest.totalSize()
                    + " of the file";
        }
        return null;
    }

    public long sentBytes() {
        return sentBytes.get();
    }

    public long skippedChunks() {
        return skippedChunks.get();
    }

    /** The chunks this upload sent so far (not those the receiver held already). */
    public int sentChunks() {
        return sentChunks.get();
    }

    /** The source's bytes (a folder's regular files summed), counted the first time this is asked; null when they cannot be. */
    public Long sourceBytes() {
        if (!sourceCounted) {
            sourceBytes = SourceSize.of(source);
            sourceCounted = true;
        }
        return sourceBytes;
    }
}
