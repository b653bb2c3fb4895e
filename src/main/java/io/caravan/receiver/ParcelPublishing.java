package io.caravan.receiver;

import io.caravan.catalog.ParcelCatalog;
import io.caravan.dedup.ContentIndex;
import io.caravan.fs.BadNameException;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.fs.UnsafePathException;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.session.SessionStore;
import io.caravan.session.RequestRejectedException;
import io.caravan.session.Session;
import io.caravan.session.SessionMeta;
import io.caravan.session.Syncer;
import io.caravan.sync.Mirrors;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.PosixModes;
import io.caravan.unpack.Publisher;
import io.caravan.unpack.SafeExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /finish}: publishes a session into the inbox once every chunk is there and matches
 * the manifest (and the whole stream its SHA-256), then records it in the content index and the
 * catalog. A session is published at most once: a repeated finish gets the first one's answer, and so does
 * a finish sent at the same time as that one (to this node or another sharing the store), whichever of the
 * two looks the session up after the other published it.
 */
public final class ParcelPublishing {

    private static final Logger LOG = LoggerFactory.getLogger(ParcelPublishing.class);

    private final ReceiverConfig config;
    /** A name's publish and its catalog record, one finish at a time. */
    private final NameLocks names = new NameLocks();
    private final StagingFolder staging;
    private final SessionStore store;
    private final Sessions sessions;
    private final Assemblers assemblers;
    private final Publisher publisher;
    private final Mirrors mirrors;
    private final ContentIndex dedup;
    private final ReceiverMetrics metrics;
    private volatile ParcelCatalog catalog;

    ParcelPublishing(ReceiverConfig config, StagingFolder staging, SessionStore store, Sessions sessions,
                     Assemblers assemblers, Publisher publisher, Mirrors mirrors, ContentIndex dedup, ReceiverMetrics metrics) {
        this.config = config;
        this.staging = staging;
        this.store = store;
        this.sessions = sessions;
        this.assemblers = assemblers;
        this.publisher = publisher;
        this.mirrors = mirrors;
        this.dedup = dedup;
        this.metrics = metrics;
    }

    /** Records every publish from now on in {@code catalog} (the read side's list of published parcels). */
    void catalog(ParcelCatalog catalog) {
        this.catalog = catalog;
    }

    /** Verifies, assembles and publishes; a 409 {@code incomplete} lists what is missing or mismatched. */
    public Published finish(FinishRequest request) throws IOException {
        String sid = request.sessionId();
        Sessions.Found found = sessions.find(sid); // published (by an earlier finish, or one racing this one): its result
        if (found.published() != null) {
            return found.published();
        }
        Session session = found.open();
        // one finish of a session at a time, on this node (its monitor) and on any node sharing the store
        return store.exclusively(sid, request.asked(), shared -> finishAlone(sid, session, request, shared));
    }

    private Published finishAlone(String sid, Session session, FinishRequest request, SessionStore.NameLock shared)
            throws IOException {
        synchronized (session) {
            // a concurrent finish of this session may have published it (or a delete removed it) while we waited
            Optional<Published> done = sessions.finished(sid);
            if (done.isPresent()) {
                return done.get();
            }
            store.get(sid);
            publishWith(session, request.publish());
            // the name's lock is taken right before the swap into place and let go once the catalog recorded it
            try (NameLocks.Hold name = names.hold(shared)) {
                Published result = session.meta().archive() ? finishArchive(session, request.manifest(), name)
                        : finishRaw(session, request.manifest(), name);
                sessions.published(session, result);
                recordInCatalog(session, result);
                metrics.published();
                LOG.info("session {} finished: published {} ({} files, {} bytes)", sid, result.path(), result.files(),
                        result.bytes());
                return result;
            }
        }
    }

    /**
     * The options a finish gives again replace the session's, kept with it before anything is published, so a
     * crash and a repeated finish see them; without, those stored last (by the start, or a finish that gave
     * them) hold, as the storage holds them now (another node's finish may have replaced them).
     */
    private void publishWith(Session session, PublishOptions given) throws IOException {
        SessionMeta stored = store.currentMeta(session);
        if (given == null) {
            return;
        }
        // what the finish does not give stays as the session has it
        String onConflict = given.onConflict() == null ? stored.onConflict()
                : PublishOptions.checkedOnConflict(given.onConflict(), config.onConflict());
        boolean force = given.force() == null ? stored.allowTypeChange() : given.force();
        if (!onConflict.equals(stored.onConflict()) || force != stored.allowTypeChange()) {
            store.replacePublishOptions(session, onConflict, force);
            LOG.info("session {}: its finish gives the publish options on_conflict {}{} in place of {}{}",
                    stored.id(), onConflict, force ? " and force" : "", stored.onConflict(),
                    stored.allowTypeChange() ? " and force" : "");
        }
    }

    /** The session's staging folder held open; a link or a file in its place is refused, and the session extracted anew. */
    private static ConfinedDir openStaging(ArchiveAssembler assembler) throws IOException {
        try {
            return assembler.staging().open();
        } catch (UnsafePathException e) {
            assembler.reopen();
            throw new UnsafePathException(e.path(), "the session's staging folder " + e.why() + "; it is extracted again"
                    + " into a folder of its own: finish again");
        }
    }

    /** The folder a parcel of several top-level entries is published as, made in the session's staging folder. */
    private static final String GATHERED = NameRules.RESERVED_PREFIX + "-parcel";

    /**
     * Moves the {@code top} entries of the session's staging folder {@code own} into a new folder of it (mode 0755),
     * all through the folder held open, and names it: the parcel is then published as that one folder.
     */
    private static String gather(ConfinedDir own, List<String> top) throws IOException {
        own.mkdir(GATHERED);
        try (ConfinedDir whole = own.openDir(GATHERED)) {
            for (String entry : top) {
                own.rename(entry, whole, entry);
            }
            Files.setPosixFilePermissions(whole.self(), PosixModes.toPermissions(0755));
        }
        return GATHERED;
    }

    private Published finishArchive(Session session, Manifest manifest, NameLocks.Hold name) throws IOException {
        if (manifest == null) {
            throw RequestRejectedException.badRequest("finish of an archive session needs its manifest as the body");
        }
        ArchiveAssembler assembler = assemblers.get(session.meta().id());
        if (assembler == null) {
            // the session was started on another node sharing the store: extract its chunks here
            assembler = assemblers.open(session);
        }
        ChunkCompleteness.checkStoredMatch(session, manifest.chunks()); // a refusal in a wrong chunk is no refusal of the parcel
        assembler.throwRefusal(); // refused already: say why, not which chunks were not sent after it
        ChunkCompleteness.check(session, manifest.chunks());
        ArchiveAssembler.Outcome outcome;
        try {
            outcome = assembler.finish(manifest.totalChunks());
        } catch (IOException | RuntimeException e) {
            assembler.reopen();
            throw e;
        }
        if (outcome.streamSha256() == null) {
            // resumed from a checkpoint after a crash: the stream's hash cannot be taken up where it was, so the
            // stream is the manifest's by its chunks, each stored under the SHA-256 it hashed to on arrival and
            // checked against the manifest's list above
            outcome = new ArchiveAssembler.Outcome(outcome.result(), manifest.sha256(), outcome.reportedFiles());
        } else if (manifest.hasStreamSha256() && !outcome.streamSha256().equals(manifest.sha256())) {
            assembler.reopen();
            throw ChunkCompleteness.streamMismatch("whole-stream", manifest.sha256(), outcome.streamSha256());
        }
        Syncer syncer = config.durability().syncer();
        String relative;
        boolean single;
        // held open from here to the publish: a link found in its place is refused (409 unsafe_path) and extracted anew
        try (ConfinedDir own = openStaging(assembler)) {
            Path stagingDir = own.self();
            if (session.meta().apply()) {
                refuseTooLongBelow(stripSlash(session.meta().name()), outcome.result(), null);
                syncer.tree(stagingDir);
                assembler.publishing(syncer);
                mirrors.apply(session.meta().name(), stagingDir);
                syncer.tree(mirrors.path(session.meta().name())); // the apply renamed entries all over the mirror
                dedup.forget(mirrors.path(session.meta().name()));
                return published(mirrors.path(session.meta().name()), outcome.result().entries(), outcome.result().bytes(),
                        outcome.streamSha256());
            }
            List<String> top = topLevel(stagingDir);
            boolean gathered = top.equals(List.of(GATHERED)); // by an earlier finish whose publish was refused
            single = top.size() == 1 && !gathered;
            String target = target(session, single ? top.get(0) : null);
            refuseTooLongBelow(target, outcome.result(), single ? top.get(0) : null);
            syncer.tree(stagingDir); // every extracted file and folder on disk before any of it is published
            name.take(target);
            assembler.publishing(syncer); // from here a crash extracts anew and publishes again
            if (single) {
                relative = publisher.publish(stagingDir, top.get(0), target, policy(session));
            } else {
                relative = publisher.publish(stagingDir, gathered ? GATHERED : gather(own, top), target, policy(session));
            }
        }
        Path published = config.inbox().resolve(relative);
        forcePublish(session, published);
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

    /**
     * A raw session's file: when its chunks lie in order in the store's data file, that file itself
     * (linked into staging, hashed while its chunks arrived); otherwise its chunks joined into a copy.
     */
    private Published finishRaw(Session session, Manifest manifest, NameLocks.Hold name) throws IOException {
        List<ChunkInfo> expected = manifest != null ? manifest.chunks() : ChunkCompleteness.contiguous(session);
        ChunkCompleteness.check(session, expected);
        SessionStagingFolder folder = staging.session(session.meta().id());
        String own = manifest != null && manifest.file() != null ? manifest.file().name()
                : session.meta().name() == null || session.meta().name().endsWith("/")
                ? session.meta().id() : Path.of(session.meta().name()).getFileName().toString();
        ArchiveAssembler hasher = assemblers.get(session.meta().id());
        // made anew and held open until the publish: the file is joined there whatever is swapped in for its name
        try (ConfinedDir held = folder.fresh()) {
            Path stagingDir = held.self();
            Path file = stagingDir.resolve(own);
            Syncer syncer = config.durability().syncer();
            String sha;
            if (inOrder(expected) && store.linkAssembled(session, expected.size(), file)) {
                sha = hasher != null ? hasher.finish(expected.size()).streamSha256() : RawConcatenation.hash(file);
                RawConcatenation.force(file, syncer);
            } else {
                sha = RawConcatenation.concatenate(expected.stream().map(c -> session.chunk(c.index())).toList(),
                        chunk -> store.open(session, chunk), file, syncer);
            }
            if (manifest != null && manifest.hasStreamSha256() && !sha.equals(manifest.sha256())) {
                throw ChunkCompleteness.streamMismatch("whole-file", manifest.sha256(), sha);
            }
            if (manifest != null && manifest.file() != null) {
                // as a tar entry's would be: permission bits without setuid, setgid and sticky; the time as sent
                Files.setPosixFilePermissions(file, PosixModes.toPermissions(manifest.file().mode() & 0777));
                io.caravan.fs.FileTimes.setModified(file, FileTime.from(Instant.parse(manifest.file().mtime())));
            }
            long size = Files.size(file);
            String target = target(session, own);
            name.take(target);
            Path published = config.inbox().resolve(publisher.publish(stagingDir, own, target, policy(session)));
            forcePublish(session, published);
            dedup.forget(published);
            if (size >= config.dedupMinSize()) {
                dedup.record(List.of(Map.entry(published, sha)));
            }
            return published(published, 1, size, sha);
        } catch (IOException | RuntimeException e) {
            if (hasher != null) {
                hasher.reopen();
            }
            throw e;
        } finally {
            try {
                folder.remove();
            } catch (IOException e) {
                LOG.warn("session {}: its staging folder was not removed ({}); it is removed at the next start",
                        session.meta().id(), e.toString());
            }
        }
    }

    /** Whether {@code chunks} are indices 0, 1, 2, ... in that order. */
    private static boolean inOrder(List<ChunkInfo> chunks) {
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i).index() != i) {
                return false;
            }
        }
        return true;
    }

    /**
     * Makes a publish's renames survive a power loss: the folders from the published entry's up to the
     * inbox (the rename, and folders the publish created); the whole entry when a merge renamed entries
     * into its folders.
     */
    private void forcePublish(Session session, Path published) throws IOException {
        Syncer syncer = config.durability().syncer();
        if (config.onConflict(session.meta()) == OnConflict.MERGE && Files.isDirectory(published, LinkOption.NOFOLLOW_LINKS)) {
            syncer.tree(published);
        }
        for (Path dir = published.getParent(); dir != null && dir.startsWith(config.inbox()); dir = dir.getParent()) {
            syncer.folder(dir);
        }
    }

    private void recordInCatalog(Session session, Published result) {
        ParcelCatalog target = catalog;
        if (target == null) {
            return;
        }
        try {
            boolean folder = Files.isDirectory(config.inbox().resolve(result.path()), LinkOption.NOFOLLOW_LINKS);
            // the published folders it lies in, and parcels it replaced, changed too; then its own record (generation + 1)
            target.changed(result.path());
            target.record(result.path(), folder ? "folder" : "file", result.files(), result.bytes(), session.meta().codec(),
                    result.sha256());
        } catch (IOException | RuntimeException e) {
            LOG.warn("'{}' was published but could not be recorded in the catalog: {}", result.path(), e.toString());
        }
    }

    private Published published(Path published, long files, long bytes, String sha256) {
        return new Published(config.inbox().toAbsolutePath().normalize().relativize(published).toString(), files, bytes, sha256);
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

    /**
     * Refuses (400, before anything is published; the session stays and can be deleted) a name whose
     * longest or deepest extracted entry, published below it, would break the {@link NameRules}' length
     * rules. {@code renamedTop} is the single top-level entry that the name replaces, or null.
     */
    private static void refuseTooLongBelow(String target, SafeExtractor.Result extracted, String renamedTop) {
        for (String entry : List.of(extracted.longestPath(), extracted.deepestPath())) {
            String below = renamedTop == null ? entry
                    : entry.startsWith(renamedTop + "/") ? entry.substring(renamedTop.length() + 1) : "";
            if (below.isEmpty()) {
                continue;
            }
            String problem = NameRules.lengthProblem(target + "/" + below);
            if (problem != null) {
                throw new BadNameException(target, "with the parcel's entry '" + NameRules.printable(entry) + "' below it, "
                        + problem);
            }
        }
    }

    private static String stripSlash(String name) {
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    private Publisher.Policy policy(Session session) {
        return new Publisher.Policy(config.onConflict(session.meta()), session.meta().allowTypeChange());
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
}
