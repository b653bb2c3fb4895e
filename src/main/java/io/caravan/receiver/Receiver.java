package io.caravan.receiver;

import io.caravan.dedup.ContentIndex;
import io.caravan.dedup.DedupIndex;
import io.caravan.sync.Mirrors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.CaravanException;
import io.caravan.catalog.ParcelCatalog;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackOptions;
import io.caravan.session.ChunkBody;
import io.caravan.session.ChunkWrite;
import io.caravan.session.DiskSessionStore;
import io.caravan.session.SessionStore;
import io.caravan.session.RequestRejectedException;
import io.caravan.session.Session;
import io.caravan.session.SessionMeta;
import io.caravan.session.StoredChunk;
import io.caravan.fs.Versions;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.Publisher;
import io.caravan.unpack.Staging;
import io.caravan.unpack.UnpackOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of the HTTP protocol (README "HTTP API"), free of HTTP: sessions, chunk uploads,
 * status, finish (verify, extract or concatenate, publish), delete, dedup checks and expiry.
 * Methods return the JSON answer as a map; failures are {@link CaravanException}s carrying their
 * HTTP status.
 */
public final class Receiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long no chunk may have arrived before published files are hashed for the dedup index. */
    private static final Duration INDEXING_QUIET = Duration.ofSeconds(1);

    private final ReceiverConfig config;
    private final SessionStore store;
    private final ContentIndex dedup;
    private final ReceiverMetrics metrics;
    private final Map<String, ArchiveAssembler> assemblers = new ConcurrentHashMap<>();
    private final Mirrors mirrors;
    private final Versions versions;
    private final Publisher publisher;
    private final ReceiverThreads threads;
    private volatile ParcelCatalog catalog;

    /** A receiver on plain threads of its own, which {@link #close} stops (for use without Camel). */
    public Receiver(ReceiverConfig config, MeterRegistry registry, Clock clock) throws IOException {
        this(config, registry, clock, ReceiverThreads.plain(ReceiverThreads.DEFAULT_EXTRACT_THREADS));
    }

    public Receiver(ReceiverConfig config, MeterRegistry registry, Clock clock, ReceiverThreads threads) throws IOException {
        this.config = config;
        this.threads = threads;
        Files.createDirectories(config.inbox());
        this.versions = new Versions(config.stateDir().resolve(Versions.FOLDER), config.keepVersions(), clock);
        this.publisher = new Publisher(config.inbox(), versions);
        this.store = new DiskSessionStore(config.stateDir(), config.sessionTtl(), config.limits(), clock);
        this.dedup = new DedupIndex(config.inbox(), config.stateDir().resolve("dedup.jsonl"),
                store.activity().idleAfter(INDEXING_QUIET), threads.indexing());
        this.metrics = new ReceiverMetrics(registry, () -> store.sessions().size());
        this.mirrors = new Mirrors(config.inbox(), versions);
        Staging.deleteTree(config.stateDir().resolve("staging"));
        for (Session session : store.sessions()) {
            if (session.meta().archive()) {
                assembler(session);
            }
        }
    }

    public ReceiverConfig config() {
        return config;
    }

    public SessionStore store() {
        return store;
    }

    /** Records every publish from now on in {@code catalog} (the read side's list of published parcels). */
    public void catalog(ParcelCatalog catalog) {
        this.catalog = catalog;
    }

    /** {@code POST /start}: an empty body starts a raw session; options with a codec an archive session. */
    public Map<String, Object> start(String body) throws IOException {
        JsonNode options = parse(body);
        if (!options.isObject()) {
            throw RequestRejectedException.badRequest("the options must be a JSON object such as {\"codec\":\"zstd\",\"name\":\"x\"}");
        }
        String name = ParcelNames.check(text(options, "name"));
        String codec = text(options, "codec");
        if (codec != null) {
            codec = Codecs.byName(codec).name();
        }
        String kind = Optional.ofNullable(text(options, "kind")).orElse(codec != null ? SessionMeta.ARCHIVE : SessionMeta.RAW);
        if (!kind.equals(SessionMeta.RAW) && !kind.equals(SessionMeta.ARCHIVE)) {
            throw RequestRejectedException.badRequest("kind must be raw or archive, not '" + kind + "'");
        }
        Long chunkSize = options.has("chunk_size") ? options.get("chunk_size").asLong() : null;
        if (chunkSize != null && (chunkSize < 1 || chunkSize > config.limits().maxChunkSize())) {
            throw RequestRejectedException.badRequest("chunk_size " + chunkSize + " must be between 1 and "
                    + config.limits().maxChunkSize() + " bytes");
        }
        String onConflict = Optional.ofNullable(text(options, "on_conflict")).orElse(config.onConflict().name())
                .toLowerCase(java.util.Locale.ROOT);
        OnConflict.parse(onConflict);
        String mode = mode(options, kind, name);
        Session session = store.create(name, kind, codec, chunkSize, onConflict, mode, flag(options, "into"), flag(options, "force"));
        if (session.meta().archive()) {
            assembler(session);
        }
        LOG.info("session {} started: {} parcel '{}'{}, expires {}", session.id(), kind,
                name == null ? session.id() : name, codec == null ? "" : " (" + codec + ")", session.meta().expiresAt());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("session_id", session.id().value());
        answer.put("expires_at", session.meta().expiresAt());
        answer.put("chunk_size", chunkSize != null ? chunkSize : Math.min(PackOptions.DEFAULT_CHUNK_SIZE, config.limits().maxChunkSize()));
        answer.put("max_chunk_size", config.limits().maxChunkSize());
        return answer;
    }

    /** {@code mode}: absent, or {@code apply} for an archive parcel applied onto the mirror {@code name}. */
    private static String mode(JsonNode options, String kind, String name) {
        String mode = text(options, "mode");
        if (mode == null || mode.equals("publish")) {
            return null;
        }
        if (!mode.equals(SessionMeta.APPLY) || !kind.equals(SessionMeta.ARCHIVE) || name == null) {
            throw RequestRejectedException.badRequest("mode must be publish, or apply with kind archive and the mirror's"
                    + " name, not '" + mode + "'");
        }
        return mode;
    }

    /** {@code GET /mirror?name=}: the mirror's entries (empty when it does not exist yet). */
    public Map<String, Object> mirror(String name, boolean checksum) throws IOException {
        return mirrors.list(name, checksum);
    }

    /** {@code POST /mirror/changes?name=}: renames and deletions inside the mirror. */
    public Map<String, Object> mirrorChanges(String name, String body) throws IOException {
        Map<String, Object> answer = mirrors.changes(name, body);
        dedup.forget(mirrors.path(name));
        LOG.info("mirror '{}': {}", name, answer);
        return answer;
    }

    /** {@code PUT /upload/{sid}/{idx}}. */
    public ChunkWrite upload(String sid, String idx, ByteBuffer[] body, String sha256) throws IOException {
        return upload(sid, idx, ChunkBody.of(body), sha256);
    }

    /** {@code PUT /upload/{sid}/{idx}} with a body the store may keep for the extraction. */
    public ChunkWrite upload(String sid, String idx, ChunkBody body, String sha256) throws IOException {
        Session session = store.get(sid);
        int index = parseIndex(idx);
        if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
            throw RequestRejectedException.badRequest("X-Chunk-Sha256 must be 64 hex digits, got '" + sha256 + "'");
        }
        // an archive whose extraction refused an entry is refused at once, not after the whole transfer
        ArchiveAssembler assembler = assemblers.get(session.meta().id());
        boolean refused = assembler != null && assembler.refused();
        if (refused) {
            assembler.throwIfRefused(index);
        }
        ChunkWrite write = store.write(session, index, body, sha256);
        if (write.outcome() != ChunkWrite.Outcome.IDENTICAL) {
            metrics.chunk(write.chunk().size());
        }
        if (refused) {
            assembler.throwIfRefused(-1); // unless this chunk replaced one the refused extraction read
        }
        return write;
    }

    /**
     * {@code GET /status/{sid}}: the chunks an open session holds, or, once it was published (until
     * the cleanup removes its result, a session lifetime after the publish), {@code finished: true}
     * with the publish result, so a sender that stopped before it saw the answer need not send again.
     */
    public Map<String, Object> status(String sid) throws IOException {
        Optional<String> done = store.finishedResult(sid);
        if (done.isPresent()) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("session_id", sid);
            answer.put("finished", true);
            answer.putAll(JSON.readValue(done.get(), Map.class));
            return answer;
        }
        Session session = store.get(sid);
        Map<String, String> chunks = new LinkedHashMap<>();
        session.chunks().forEach((i, c) -> chunks.put(String.valueOf(i), c.sha256()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("session_id", session.id().value());
        answer.put("kind", session.meta().kind());
        answer.put("finished", false);
        answer.put("received", List.copyOf(session.chunks().keySet()));
        answer.put("chunks", chunks);
        answer.put("bytes", session.bytes());
        answer.put("expires_at", session.meta().expiresAt());
        return answer;
    }

    /** {@code POST /finish/{sid}}: verify, assemble, publish; 409 lists what is missing or mismatched. */
    public Map<String, Object> finish(String sid, String body) throws IOException {
        Optional<String> done = store.finishedResult(sid);
        if (done.isPresent()) {
            return JSON.readValue(done.get(), Map.class);
        }
        Session session = store.get(sid);
        synchronized (session) {
            // a concurrent finish of this session may have published it (or a delete removed it) while we waited
            done = store.finishedResult(sid);
            if (done.isPresent()) {
                return JSON.readValue(done.get(), Map.class);
            }
            store.get(sid);
            Manifest manifest = body == null || body.isBlank() ? null : Manifest.fromJson(body).validate();
            Map<String, Object> answer = session.meta().archive() ? finishArchive(session, manifest) : finishRaw(session, manifest);
            store.remove(session, JSON.writeValueAsString(answer));
            assemblers.remove(sid);
            recordPublished(session, answer);
            metrics.published();
            LOG.info("session {} finished: published {} ({} files, {} bytes)", sid, answer.get("path"), answer.get("files"), answer.get("bytes"));
            return answer;
        }
    }

    private Map<String, Object> finishArchive(Session session, Manifest manifest) throws IOException {
        if (manifest == null) {
            throw RequestRejectedException.badRequest("finish of an archive session needs its manifest as the body");
        }
        ArchiveAssembler assembler = assemblers.get(session.meta().id());
        assembler.throwRefusal(); // refused already: say why, not which chunks were not sent after it
        checkChunks(session, manifest.chunks());
        ArchiveAssembler.Outcome outcome;
        try {
            outcome = assembler.finish(manifest.totalChunks());
        } catch (IOException | RuntimeException e) {
            assembler.reopen();
            throw e;
        }
        if (manifest.hasStreamSha256() && !outcome.streamSha256().equals(manifest.sha256())) {
            assembler.reopen();
            throw conflict("whole-stream SHA-256 mismatch (manifest " + manifest.sha256() + ", chunks " + outcome.streamSha256() + ")",
                    Map.of("missing", List.of(), "mismatched", List.of()));
        }
        if (session.meta().apply()) {
            mirrors.apply(session.meta().name(), assembler.stagingDir());
            dedup.forget(mirrors.path(session.meta().name()));
            return published(mirrors.path(session.meta().name()), outcome.result().entries(), outcome.result().bytes(),
                    outcome.streamSha256());
        }
        Path stagingDir = assembler.stagingDir();
        List<String> top = topLevel(stagingDir);
        boolean single = top.size() == 1;
        String target = target(session, single ? top.get(0) : null);
        String relative;
        if (single) {
            relative = publisher.publish(stagingDir, top.get(0), target, policy(session));
        } else {
            Files.setPosixFilePermissions(stagingDir, io.caravan.unpack.PosixModes.toPermissions(0755));
            relative = publisher.publish(stagingDir.getParent(), stagingDir.getFileName().toString(), target, policy(session));
        }
        Path published = config.inbox().resolve(relative);
        dedup.forget(published);
        List<Map.Entry<Path, String>> hashed = new ArrayList<>();
        List<Path> toHash = new ArrayList<>();
        for (ArchiveAssembler.ReportedFile file : outcome.reportedFiles()) {
            Path path = publishedPath(published, file.name(), single);
            if (file.sha256() != null) {
                hashed.add(Map.entry(path, file.sha256()));
            } else {
                toHash.add(path);
            }
        }
        dedup.record(hashed);
        dedup.recordLater(toHash);
        return published(published, outcome.result().entries(), outcome.result().bytes(), outcome.streamSha256());
    }

    private Map<String, Object> finishRaw(Session session, Manifest manifest) throws IOException {
        List<ChunkInfo> expected = manifest != null ? manifest.chunks() : contiguous(session);
        checkChunks(session, expected);
        Path stagingDir = config.stateDir().resolve("staging").resolve(session.meta().id());
        String own = session.meta().name() == null || session.meta().name().endsWith("/")
                ? session.meta().id() : Path.of(session.meta().name()).getFileName().toString();
        try (Staging staging = Staging.at(stagingDir, config.inbox())) {
            Path file = stagingDir.resolve(own);
            String sha = RawConcatenation.concatenate(expected.stream().map(c -> session.chunk(c.index()).file()).toList(), file);
            if (manifest != null && manifest.hasStreamSha256() && !sha.equals(manifest.sha256())) {
                throw conflict("whole-file SHA-256 mismatch (manifest " + manifest.sha256() + ", chunks " + sha + ")",
                        Map.of("missing", List.of(), "mismatched", List.of()));
            }
            long size = Files.size(file);
            Path published = config.inbox().resolve(publisher.publish(stagingDir, own, target(session, own), policy(session)));
            dedup.forget(published);
            if (size >= config.dedupMinSize()) {
                dedup.record(List.of(Map.entry(published, sha)));
            }
            return published(published, 1, size, sha);
        }
    }

    private void recordPublished(Session session, Map<String, Object> answer) {
        ParcelCatalog target = catalog;
        if (target == null) {
            return;
        }
        String path = String.valueOf(answer.get("path"));
        try {
            boolean folder = Files.isDirectory(config.inbox().resolve(path), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            target.record(path, folder ? "folder" : "file", ((Number) answer.get("files")).longValue(),
                    ((Number) answer.get("bytes")).longValue(), session.meta().codec());
        } catch (IOException | RuntimeException e) {
            LOG.warn("'{}' was published but could not be recorded in the catalog: {}", path, e.toString());
        }
    }

    /** Raw sessions without a manifest: chunks 0..max must all be there; the work is bounded by the chunks stored. */
    private static List<ChunkInfo> contiguous(Session session) {
        if (session.chunks().isEmpty()) {
            ChunkGaps gaps = new ChunkGaps();
            gaps.missing(0);
            throw conflict("no chunks were uploaded", gaps.details());
        }
        int last = session.chunks().lastKey();
        long absent = (long) last + 1 - session.chunks().size();
        if (absent > 0) {
            ChunkGaps gaps = new ChunkGaps();
            // each step finds a stored chunk or lists a gap: at most stored + LISTED steps, whatever the indices
            for (int i = 0; i <= last && !gaps.listFull(); i++) {
                if (session.chunk(i) == null) {
                    gaps.missing(i);
                }
            }
            gaps.missingUnlisted(absent - gaps.missingCount());
            throw conflict(absent + " chunks are missing" + gaps.listedNote(), gaps.details());
        }
        List<ChunkInfo> chunks = new ArrayList<>();
        session.chunks().forEach((i, c) -> chunks.add(new ChunkInfo(i, c.size(), c.sha256())));
        return chunks;
    }

    private static void checkChunks(Session session, List<ChunkInfo> expected) {
        ChunkGaps gaps = new ChunkGaps();
        for (ChunkInfo chunk : expected) {
            StoredChunk stored = session.chunk(chunk.index());
            if (stored == null) {
                gaps.missing(chunk.index());
            } else if (!stored.sha256().equalsIgnoreCase(chunk.checksum()) || stored.size() != chunk.size()) {
                gaps.mismatched(chunk.index());
            }
        }
        if (gaps.any()) {
            throw conflict(gaps.missingCount() + " chunks missing and " + gaps.mismatchedCount() + " not matching the manifest"
                    + gaps.listedNote() + "; upload them and finish again", gaps.details());
        }
    }

    private static RequestRejectedException conflict(String message, Map<String, Object> details) {
        return new RequestRejectedException(409, "incomplete", message + "; nothing was published", details);
    }

    private Map<String, Object> published(Path published, long files, long bytes, String sha256) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("path", config.inbox().toAbsolutePath().normalize().relativize(published).toString());
        answer.put("files", files);
        answer.put("bytes", bytes);
        answer.put("sha256", sha256);
        return answer;
    }

    /**
     * Where a finished parcel goes: its name; inside that folder when the name ends in '/' or, for an
     * explicit remote name, names an existing folder; the parcel's own name (or the session id) without one.
     */
    private String target(Session session, String own) throws IOException {
        String name = session.meta().name();
        String fallback = own != null ? own : session.meta().id();
        if (name == null) {
            return fallback;
        }
        if (name.endsWith("/")) {
            return name + fallback;
        }
        return session.meta().intoExistingFolder() && publisher.isFolder(name) ? name + "/" + fallback : name;
    }

    private Publisher.Policy policy(Session session) {
        return new Publisher.Policy(onConflict(session), session.meta().allowTypeChange());
    }

    private static List<String> topLevel(Path stagingDir) throws IOException {
        try (var children = Files.list(stagingDir)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Where an archive entry ended up: under the parcel's name, whose single top-level entry was renamed to it. */
    private static Path publishedPath(Path published, String entry, boolean single) {
        if (!single) {
            return published.resolve(entry);
        }
        int slash = entry.indexOf('/');
        return slash < 0 ? published : published.resolve(entry.substring(slash + 1));
    }

    private OnConflict onConflict(Session session) {
        return session.meta().onConflict() == null ? config.onConflict() : OnConflict.parse(session.meta().onConflict());
    }

    /** {@code DELETE /sessions/{sid}}. */
    public void delete(String sid) throws IOException {
        Session session = store.get(sid);
        store.remove(session, null);
        assemblers.remove(sid);
        LOG.info("session {} deleted by the sender", sid);
    }

    /** {@code POST /check?h=}: the stored file with that content, if any. */
    public Optional<Map<String, Object>> check(String sha256) {
        if (sha256 == null || !sha256.matches("[0-9a-fA-F]{64}")) {
            throw RequestRejectedException.badRequest("h must be a SHA-256 in hex (64 digits)");
        }
        return dedup.find(sha256.toLowerCase(java.util.Locale.ROOT)).map(f -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", f.sha256());
            answer.put("path", f.path());
            answer.put("size", f.size());
            return answer;
        });
    }

    /** Batch form of {@code /check}: a JSON list of hashes (or {@code {"hashes": [...]}}). */
    public Map<String, Object> checkBatch(String body) throws IOException {
        JsonNode node = parse(body);
        JsonNode list = node.isArray() ? node : node.path("hashes");
        if (!list.isArray()) {
            throw RequestRejectedException.badRequest("send a JSON list of SHA-256 hashes, or {\"hashes\": [...]}");
        }
        Map<String, Object> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (JsonNode h : list) {
            Optional<Map<String, Object>> hit = check(h.asText());
            if (hit.isPresent()) {
                found.put(h.asText(), hit.get());
            } else {
                missing.add(h.asText());
            }
        }
        return Map.of("found", found, "missing", missing);
    }

    /** The content store for reference entries: stored files by hash. */
    ExtractHooks contentHooks() {
        return new ExtractHooks() {
            @Override
            public boolean materialise(String sha256, long size, Path target, StoredFileCheck mayLink) throws IOException {
                return dedup.materialise(sha256, size, target, mayLink);
            }

            @Override
            public long reportFilesFrom() {
                return config.dedupMinSize();
            }

            @Override
            public boolean hashReportedFiles() {
                return false; // indexed after the publish, off its path (DedupIndex)
            }
        };
    }

    /** Deletes expired sessions; the Quartz cleanup route calls this. */
    public List<String> cleanup() throws IOException {
        versions.cleanup();
        List<String> removed = store.expire();
        removed.forEach(assemblers::remove);
        LOG.info("cleanup: {} expired session{} removed{}", removed.size(), removed.size() == 1 ? "" : "s",
                removed.isEmpty() ? "" : " " + removed);
        return removed;
    }

    public void rejected(String reason) {
        metrics.rejected(reason);
    }

    private ArchiveAssembler assembler(Session session) throws IOException {
        ArchiveAssembler assembler = new ArchiveAssembler(session, store,
                config.stateDir().resolve("staging").resolve(session.meta().id()), config.inbox(),
                new UnpackOptions(true, onConflict(session), config.policy()), contentHooks(), threads.extraction());
        session.addListener(assembler);
        assemblers.put(session.meta().id(), assembler);
        assembler.start();
        return assembler;
    }

    private static int parseIndex(String idx) {
        try {
            return Integer.parseInt(idx);
        } catch (NumberFormatException e) {
            throw RequestRejectedException.badRequest("chunk index '" + idx + "' is not a number");
        }
    }

    private static JsonNode parse(String body) throws IOException {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw RequestRejectedException.badRequest("the body is not valid JSON: " + e.getMessage());
        }
    }

    private static boolean flag(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value != null && !value.isNull() && !value.isBoolean()) {
            throw RequestRejectedException.badRequest(field + " must be true or false, not " + value);
        }
        return value != null && value.asBoolean();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    @Override
    public void close() {
        dedup.close();
        for (Session session : store.sessions()) {
            ArchiveAssembler assembler = assemblers.remove(session.meta().id());
            if (assembler != null) {
                assembler.closed(session);
            }
        }
        threads.close();
    }
}
