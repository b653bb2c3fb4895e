package io.caravan.catalog;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.FileIdentity;
import io.caravan.fs.NameRules;
import io.caravan.fs.UnsafePathException;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.session.RequestRejectedException;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read side of a receiver, free of HTTP: the catalog listing, a parcel's manifest and chunks from
 * the {@link ChunkCache}, and single published files. Every path below the inbox is opened segment by
 * segment without following links ({@link ConfinedDir}); names follow the {@link NameRules}, so
 * Caravan's own state is never served. A parcel's {@code ETag} names one state of it: its catalog
 * generation, the identity of its top-level entry and the packing options; any republish changes it.
 */
public final class CatalogService {

    public static final int MAX_PAGE = 1000;
    /** Records read from the catalog at once for a page, whatever its limit. */
    private static final int WINDOW = MAX_PAGE;
    /** The most records a page looks at (listed or passed over, their entries gone from the inbox) before it ends short. */
    static final int CHECKED_PER_PAGE = 4 * WINDOW;

    private final java.nio.file.Path inbox;
    private final ParcelCatalog catalog;
    private final ChunkCache cache;
    private final long chunkSize;

    /** Whether the root itself must not be a link (a share's folder): opened from its parent without following one. */
    private final boolean rootItself;

    public CatalogService(java.nio.file.Path inbox, ParcelCatalog catalog, ChunkCache cache, long chunkSize) {
        this(inbox, catalog, cache, chunkSize, false);
    }

    private CatalogService(java.nio.file.Path inbox, ParcelCatalog catalog, ChunkCache cache, long chunkSize, boolean rootItself) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.catalog = catalog;
        this.cache = cache;
        this.chunkSize = chunkSize;
        this.rootItself = rootItself;
    }

    /**
     * The files of a shared folder, served as published files are, the folder itself opened without following a
     * link: one swapped for a link to another folder while the server runs serves nothing (the share's scan,
     * which never enters a link, then lists nothing of it either).
     */
    public static CatalogService ofFolder(java.nio.file.Path folder) {
        return new CatalogService(folder, null, null, 0, true);
    }

    /** The root, held open for one request (every entry below it is reached from it, never through a link). */
    private ConfinedDir openRoot() throws IOException {
        return rootItself ? ConfinedDir.openItself(inbox) : ConfinedDir.open(inbox);
    }

    public ParcelCatalog catalog() {
        return catalog;
    }

    /** A served manifest: its JSON and its ETag. */
    public record ServedManifest(String etag, String json, ChunkCache.Packing packing) {
    }

    /** One published file opened for reading, positioned at the range asked for. */
    public record OpenFile(FileChannel channel, ByteRange range, long size, String etag, long mtimeMillis) {
    }

    /** A published file or folder held open for an archive download: its folder, opened without following links, and its name there. */
    public record OpenEntry(ConfinedDir parent, String leaf) implements AutoCloseable {
        @Override
        public void close() {
            parent.close();
        }
    }

    /**
     * {@code GET /parcels/zip|tar-zst?name=}: the published file or folder {@code name} (a parcel, or any
     * path below one), its folder held open so that what is read later is found from it, never by path.
     */
    public OpenEntry entry(String name) throws IOException {
        if (name == null || name.isBlank()) {
            throw RequestRejectedException.badRequest("name the parcel: ?name=<its path in the inbox>");
        }
        return found(segments(name)).orElseThrow(() -> notFound(name));
    }

    /**
     * The file or folder at {@code segments} in the inbox, its folder held open, reached without following a
     * link; empty when there is none (or something else, or a link, is there).
     */
    private Optional<OpenEntry> found(List<String> segments) throws IOException {
        try (ConfinedDir root = openRoot()) {
            ConfinedDir parent = root.openDir(String.join("/", segments.subList(0, segments.size() - 1)));
            String leaf = segments.get(segments.size() - 1);
            Optional<PosixFileAttributes> attrs = parent.stat(leaf);
            if (attrs.isEmpty() || !(attrs.get().isDirectory() || attrs.get().isRegularFile())) {
                parent.close();
                return Optional.empty();
            }
            return Optional.of(new OpenEntry(parent, leaf));
        } catch (NoSuchFileException | UnsafePathException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code GET /parcels}: a page of parcels whose entries still exist, and the cursor of the next page. A page reads
     * the catalog a bounded number of times and looks at {@link #CHECKED_PER_PAGE} records at most: past them it ends
     * short, even empty when their entries left the inbox, with {@code next} where it stopped.
     */
    public Map<String, Object> list(String prefix, String since, String limit, String after) throws IOException {
        int max = limit == null ? 100 : parseInt("limit", limit);
        if (max < 1 || max > MAX_PAGE) {
            throw RequestRejectedException.badRequest("limit must be between 1 and " + MAX_PAGE + ", not " + max);
        }
        Instant from = null;
        if (since != null) {
            try {
                from = Instant.parse(since);
            } catch (DateTimeParseException e) {
                throw RequestRejectedException.badRequest("since must be a UTC time such as 2026-11-22T10:00:00Z, not '" + since + "'");
            }
        }
        List<Map<String, Object>> parcels = new ArrayList<>();
        String cursor = after;
        boolean more = true;
        int checked = 0;
        // records whose entry left the inbox are passed over a window at a time, at most CHECKED_PER_PAGE of them:
        // a page then ends short, its next cursor where it stopped
        while (parcels.size() < max && more && checked < CHECKED_PER_PAGE) {
            List<PublishedParcel> window = catalog.list(prefix == null ? "" : prefix, from, cursor, WINDOW + 1);
            int usable = Math.min(window.size(), WINDOW);
            more = window.size() > WINDOW;
            int taken = 0;
            for (; taken < usable && parcels.size() < max; taken++) {
                PublishedParcel parcel = window.get(taken);
                cursor = parcel.name();
                checked++;
                Optional<FileIdentity> identity = identity(parcel.name());
                if (identity.isPresent()) {
                    parcels.add(describe(parcel, identity.get()));
                }
            }
            more |= taken < usable;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("parcels", parcels);
        answer.put("next", more ? cursor : null);
        return answer;
    }

    private Map<String, Object> describe(PublishedParcel parcel, FileIdentity identity) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", parcel.name());
        entry.put("kind", parcel.kind());
        entry.put("files", parcel.files());
        entry.put("bytes", parcel.bytes());
        entry.put("published_at", parcel.publishedAt());
        entry.put("sha256", parcel.sha256());
        entry.put("etag", etag(parcel, identity));
        return entry;
    }

    /** {@code GET /parcels/manifest?name=}: the manifest of the parcel's current state, packed on first use. */
    public ServedManifest manifest(String name) throws IOException {
        PublishedParcel parcel = parcel(name);
        for (int attempt = 0; attempt < 3; attempt++) {
            String before = currentEtag(parcel);
            ChunkCache.Packing packing = pack(parcel, before);
            PublishedParcel now = parcel(name);
            if (before.equals(currentEtag(now))) {
                return new ServedManifest(before, packing.manifestJson(), packing);
            }
            parcel = now; // published again while it was packed: pack the new state
        }
        throw new RequestRejectedException(503, "busy", "'" + name + "' changes faster than it can be packed; try again later");
    }

    /** {@code GET /parcels/chunks/{i}?name=}: chunk {@code index} of the current packing; 412 if {@code ifMatch} names another. */
    public ChunkCache.Packing chunk(String name, int index, String ifMatch) throws IOException {
        PublishedParcel parcel = parcel(name);
        String etag = currentEtag(parcel);
        if (ifMatch != null && !matches(ifMatch, etag)) {
            throw new RepublishedException(name, ifMatch.trim(), quoted(etag));
        }
        ChunkCache.Packing packing = manifest(name).packing();
        if (index < 0 || index >= packing.manifest().totalChunks()) {
            throw new RequestRejectedException(404, "not_found", "'" + name + "' has chunks 0 to "
                    + (packing.manifest().totalChunks() - 1) + ", not " + index);
        }
        return packing;
    }

    /** One chunk as served: the file that holds it (close it), where it starts there, and what the manifest says of it. */
    public record ServedChunk(FileChannel file, long position, ChunkInfo info) {
    }

    /**
     * Chunk {@code index} of the current packing, opened: from its part file, or, for a file served as its
     * own bytes, the slice of the published file (opened without following a link) where it lies. A file
     * whose size is no longer the packed one is changing: 503, and the client asks again.
     */
    public ServedChunk openChunk(String name, int index, String ifMatch) throws IOException {
        ChunkCache.Packing packing = chunk(name, index, ifMatch);
        ChunkInfo info = packing.manifest().chunks().get(index);
        if (!packing.fromSource()) {
            return new ServedChunk(cache.openChunk(packing, index), 0, info);
        }
        OpenFile file = file(name, null);
        if (file.size() != packing.manifest().totalSize()) {
            file.channel().close();
            throw new RequestRejectedException(503, "busy", "'" + name + "' is changing while it is served; try again");
        }
        return new ServedChunk(file.channel(), (long) index * packing.manifest().chunkSize(), info);
    }

    /** {@code GET /files?path=}: a published regular file, opened without following any link, at the requested range. */
    public OpenFile file(String path, String rangeHeader) throws IOException {
        List<String> segments = segments(path);
        try (ConfinedDir root = openRoot();
             ConfinedDir parent = root.openDir(String.join("/", segments.subList(0, segments.size() - 1)))) {
            String leaf = segments.get(segments.size() - 1);
            PosixFileAttributes attrs = parent.stat(leaf).orElseThrow(() -> fileNotFound(path));
            if (!attrs.isRegularFile()) {
                throw new RequestRejectedException(attrs.isDirectory() ? 400 : 404, attrs.isDirectory() ? "bad_request" : "not_found",
                        "'" + path + "' is " + (attrs.isDirectory() ? "a folder: " + (catalog == null
                        ? "only files are served here; the share's listing names them (GET /shares/<name>/listing)"
                        : "download it as a parcel (GET /parcels/manifest?name=)")
                        : "not a regular file (links are never followed)"));
            }
            FileIdentity identity = parent.identity(leaf).orElseThrow(() -> fileNotFound(path));
            FileChannel channel;
            try {
                channel = parent.readLinked(leaf); // never waits on a pipe swapped in since the check above
            } catch (UnsafePathException e) {
                throw new RequestRejectedException(404, "not_found", "'" + path + "' is not a regular file (links are never followed)");
            }
            try {
                long size = channel.size();
                ByteRange range = ByteRange.parse(rangeHeader, size);
                channel.position(range == null ? 0 : range.start());
                return new OpenFile(channel, range, size, quoted(Long.toHexString(identity.inode()) + "-"
                        + Long.toHexString(identity.size()) + "-" + Long.toHexString(identity.mtimeNanos())),
                        identity.mtimeNanos() / 1_000_000);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (NoSuchFileException | UnsafePathException e) {
            throw fileNotFound(path);
        }
    }

    private ChunkCache.Packing pack(PublishedParcel parcel, String etag) throws IOException {
        List<String> segments = segments(parcel.name());
        try (ConfinedDir root = openRoot();
             ConfinedDir parent = root.openDir(String.join("/", segments.subList(0, segments.size() - 1)))) {
            String leaf = segments.get(segments.size() - 1);
            return cache.get(etag, parent.entry(leaf), leaf, options(parcel), parcel.publishedAt());
        } catch (NoSuchFileException | UnsafePathException e) {
            throw notFound(parcel.name());
        }
    }

    /**
     * The codec the parcel travelled with at its fastest level, in the configured chunk size: a file that
     * travelled as its own bytes (no codec) is served the same way ({@code none}, see {@link ChunkCache}),
     * anything else uploaded raw with zstd 1.
     */
    private PackOptions options(PublishedParcel parcel) {
        String travelled = parcel.codec() != null ? parcel.codec() : "file".equals(parcel.kind()) ? "none" : "zstd";
        Codec codec = Codecs.byName(travelled);
        int level = codec.minLevel() <= 1 && codec.maxLevel() >= 1 ? 1 : codec.defaultLevel();
        return new PackOptions(codec, level, chunkSize, parcel.name());
    }

    private PublishedParcel parcel(String name) throws IOException {
        if (name == null || name.isBlank()) {
            throw RequestRejectedException.badRequest("name the parcel: ?name=<its path in the inbox>");
        }
        NameRules.check(name);
        Optional<PublishedParcel> recorded = catalog.find(name);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        return unrecorded(name).orElseThrow(() -> notFound(name));
    }

    /**
     * A parcel whose record was lost (the catalog folder removed by hand or by a cleanup job) but which the
     * inbox still holds: what is there under {@code name}, a file or a folder reached without following a link,
     * stands for it, unless a parcel recorded above it holds it (a path inside a parcel is not one). Its facts
     * (files, bytes, hash, codec) are not known: it is served as a parcel uploaded raw, published when it was
     * last changed.
     */
    private Optional<PublishedParcel> unrecorded(String name) throws IOException {
        List<String> segments = segments(name);
        for (int i = 1; i < segments.size(); i++) {
            if (catalog.find(String.join("/", segments.subList(0, i))).isPresent()) {
                return Optional.empty();
            }
        }
        Optional<OpenEntry> there = found(segments);
        if (there.isEmpty()) {
            return Optional.empty();
        }
        try (OpenEntry entry = there.get()) {
            Optional<PosixFileAttributes> attrs = entry.parent().stat(entry.leaf());
            return attrs.map(a -> new PublishedParcel(name, a.isDirectory() ? PublishedParcel.FOLDER : PublishedParcel.FILE,
                    0, 0, a.lastModifiedTime().toInstant().toString(), null, 0, null));
        }
    }

    private String currentEtag(PublishedParcel parcel) throws IOException {
        return etag(parcel, identity(parcel.name()).orElseThrow(() -> notFound(parcel.name())));
    }

    private String etag(PublishedParcel parcel, FileIdentity identity) {
        PackOptions options = options(parcel);
        String state = String.join("\u0000", parcel.name(), String.valueOf(parcel.generation()), identity.toString(),
                options.codec().name(), String.valueOf(options.level()), String.valueOf(options.chunkSize()));
        byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        return Sha256.of(bytes, 0, bytes.length).substring(0, 32);
    }

    private Optional<FileIdentity> identity(String name) throws IOException {
        List<String> segments = segments(name);
        try (ConfinedDir root = openRoot();
             ConfinedDir parent = root.openDir(String.join("/", segments.subList(0, segments.size() - 1)))) {
            return parent.identity(segments.get(segments.size() - 1));
        } catch (NoSuchFileException | UnsafePathException e) {
            return Optional.empty();
        }
    }

    private static List<String> segments(String path) {
        if (path == null || path.isBlank()) {
            throw RequestRejectedException.badRequest("name the file: ?path=<its path in the inbox>");
        }
        NameRules.check(path);
        List<String> segments = ConfinedDir.segments(path);
        if (segments.isEmpty()) {
            throw RequestRejectedException.badRequest("'" + path + "' names no entry");
        }
        return segments;
    }

    private static boolean matches(String ifMatch, String etag) {
        for (String candidate : ifMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || tag.equals(quoted(etag)) || tag.equals(etag)) { // strong comparison: a weak tag never matches
                return true;
            }
        }
        return false;
    }

    public static String quoted(String tag) {
        return "\"" + tag + "\"";
    }

    private static int parseInt(String what, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw RequestRejectedException.badRequest(what + " must be a number, not '" + text + "'");
        }
    }

    /** A file {@link #file} does not find: a share (no catalog) has no parcels to point to. */
    private RequestRejectedException fileNotFound(String path) {
        return catalog != null ? notFound(path) : new RequestRejectedException(404, "not_found", "the share holds no file '"
                + NameRules.printable(path) + "' (GET /shares/<name>/listing names what it holds)");
    }

    private static RequestRejectedException notFound(String name) {
        return new RequestRejectedException(404, "not_found", "nothing is published as '" + NameRules.printable(name)
                + "' (GET /parcels lists what is)");
    }
}
