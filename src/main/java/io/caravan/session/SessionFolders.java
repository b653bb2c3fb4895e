package io.caravan.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The on-disk layout of sessions, {@code sessions/<id>/meta.json} and
 * {@code sessions/<id>/chunks/<index>-<sha256>.chunk}, and how it is read back after a restart: only
 * names that a completed write gives are trusted; anything else (temporary files, a folder without
 * metadata) is a leftover of an interrupted write and is deleted. A raw session with a chunk size also
 * has {@code data}, where chunks are written at their position, and {@code chunks.log} ({@link ChunkLog}),
 * which alone says which chunks are committed and where; {@code data.sealed} marks a data file that was
 * handed to a publish and is never written again.
 */
final class SessionFolders {

    private static final Pattern CHUNK_NAME = Pattern.compile("(\\d{8})-([0-9a-f]{64})\\.chunk");
    /** A covered chunk's tail: its bytes after the checkpoint that covers the rest ({@link StoredChunk#hasTail}). */
    private static final Pattern TAIL_NAME = Pattern.compile("(\\d{8})-([0-9a-f]{64})\\.tail");
    static final ObjectMapper JSON = new ObjectMapper();

    private SessionFolders() {
    }

    static final String META = "meta.json";
    static final String CHUNKS = "chunks";
    /**
     * The most a session's metadata may hold: what a start request of the largest JSON body a receiver
     * takes by default ({@code caravan.receiver.max-json-body}) could put there.
     */
    static final long MAX_META_BYTES = 32L << 20;
    /** The most a finished session's result or an expired session's tombstone may hold. */
    static final long MAX_NOTE_BYTES = 32L << 20;
    static final String DATA = "data";
    static final String SEALED = "data.sealed";
    /** The data file as a {@link StoredChunk} of the disk store names it. */
    static final Path DATA_FILE = Path.of(DATA);

    /** The file a raw session's chunks are written into at their position (through its open folder). */
    static Path dataFile(Session session) {
        return session.fileOf(DATA_FILE);
    }

    /** The file a chunk is stored in once it is complete (through its open folder). */
    static Path chunkFile(Session session, int index, String sha256) {
        return session.fileOf(chunkEntry(index, sha256));
    }

    /** A chunk's file as a {@link StoredChunk} of the disk store names it: relative to the session folder. */
    static Path chunkEntry(int index, String sha256) {
        return Path.of(CHUNKS, chunkName(index, sha256));
    }

    static String chunkName(int index, String sha256) {
        return String.format("%08d-%s.chunk", index, sha256);
    }

    /** A covered chunk's tail file as a {@link StoredChunk} names it: relative to the session folder. */
    static Path tailEntry(int index, String sha256) {
        return Path.of(CHUNKS, String.format("%08d-%s.tail", index, sha256));
    }

    /** How many chunk files a rebuild re-hashed, and how many of them it dropped because their bytes did not match. */
    record Rebuilt(int hashed, int dropped) {
    }

    /**
     * Rebuilds every session in {@code sessions}: metadata and chunk file names; drops leftovers and
     * duplicates. With {@code verify} every chunk file is re-hashed first and dropped unless its bytes
     * hash to the SHA-256 in its name (after a power loss that may have torn unforced writes). A session
     * whose own files are not what this store writes (a link, a pipe, a file too large to be its
     * metadata, metadata that does not parse) is removed, never followed, and reported to {@code broken}.
     * A session's folders are left to {@code bound} once it is loaded, so a start holds no more open than it.
     */
    static Rebuilt load(ConfinedDir sessions, OpenSessionFolders bound, boolean verify, boolean keepCovered, Syncer syncer,
                        SessionLimits limits, Consumer<Session> loaded, Consumer<String> broken) throws IOException {
        int[] counts = new int[2];
        byte[] buffer = verify ? new byte[1 << 20] : null;
        for (String name : sessions.list()) {
            boolean folder = sessions.stat(name).map(PosixFileAttributes::isDirectory).orElse(false);
            if (!folder) {
                broken.accept("'sessions/" + name + "' is " + (sessions.stat(name).map(PosixFileAttributes::isSymbolicLink)
                        .orElse(false) ? "a symbolic link" : "not a folder") + ", not a session: removed (what it"
                        + " points to is left alone)");
                sessions.delete(name);
                continue;
            }
            SessionFolder opened = null;
            try {
                opened = open(sessions, bound, name);
                if (opened == null) {
                    continue; // a start interrupted before its metadata was written
                }
                Session session = new Session(meta(opened.dir(), name), opened);
                boolean logged = opened.dir().stat(ChunkLog.NAME).isPresent();
                if (logged && !session.meta().archive()) {
                    loadLogged(session, buffer, counts, syncer, limits);
                } else {
                    loadChunks(session, buffer, counts);
                    loadCovered(session, keepCovered, syncer, limits);
                }
                opened.leave();
                loaded.accept(session);
            } catch (IOException | UncheckedIOException | UnsafePathException e) {
                if (opened != null) {
                    opened.close();
                    opened.leave();
                }
                broken.accept("session " + name + " cannot be loaded (" + e.getMessage() + "): removed, its sender"
                        + " starts it again (nothing a link in it points to is touched)");
                sessions.deleteTree(name);
            }
        }
        return new Rebuilt(counts[0], counts[1]);
    }

    /**
     * The folders of session {@code name}, opened without following a link and entered (the caller leaves);
     * null (and removed) when it has no metadata.
     */
    private static SessionFolder open(ConfinedDir sessions, OpenSessionFolders bound, String name) throws IOException {
        ConfinedDir dir = sessions.openDir(name);
        try {
            if (dir.stat(META).isEmpty()) {
                dir.close();
                sessions.deleteTree(name);
                return null;
            }
            ConfinedDir chunks = dir.openDirs(CHUNKS);
            return SessionFolder.entered(bound, sessions, name, dir, chunks);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** The metadata of session {@code name}: a regular file of its own, no larger than {@link #MAX_META_BYTES}. */
    private static SessionMeta meta(ConfinedDir dir, String name) throws IOException {
        SessionMeta meta = JSON.readValue(dir.readSmall(META, MAX_META_BYTES), SessionMeta.class);
        if (meta == null || !name.equals(meta.id())) {
            throw new IOException("'sessions/" + name + "/" + META + "' is not this session's metadata");
        }
        return meta;
    }

    /** A chunk index found twice (a crash between a replacing rename and the old file's deletion) keeps the newer file. */
    private static void loadChunks(Session session, byte[] verifyBuffer, int[] counts) throws IOException {
        ConfinedDir chunks = session.folder().chunks();
        Map<Integer, FileTime> newest = new HashMap<>();
        for (String name : chunks.list()) {
            Matcher m = CHUNK_NAME.matcher(name);
            PosixFileAttributes attrs = chunks.stat(name).orElse(null);
            if (attrs == null || TAIL_NAME.matcher(name).matches() && attrs.isRegularFile()) {
                continue; // a tail is kept when a line of the log names it (loadCovered)
            }
            if (!m.matches() || !attrs.isRegularFile()) {
                chunks.deleteTree(name);
                continue;
            }
            if (verifyBuffer != null) {
                counts[0]++;
                if (!hashesTo(chunks, name, m.group(2), verifyBuffer)) {
                    counts[1]++;
                    chunks.delete(name);
                    continue;
                }
            }
            int index = Integer.parseInt(m.group(1));
            FileTime mtime = attrs.lastModifiedTime();
            StoredChunk earlier = session.chunk(index);
            if (earlier != null && newest.get(index).compareTo(mtime) > 0) {
                chunks.delete(name);
                continue;
            }
            if (earlier != null) {
                Files.delete(session.fileOf(earlier.file())); // a chunk in a file of its own: this layout has no data file
            }
            newest.put(index, mtime);
            session.list(new StoredChunk(index, m.group(2), attrs.size(), chunkEntry(index, m.group(2))));
        }
    }

    /**
     * An archive session's covered chunks ({@code X} and {@code T} lines of its log), listed where no chunk file
     * holds their index when {@code keep}, else dropped; a {@code T} line only with its tail file whole. The log
     * is written again with exactly the chunks kept, and tail files no kept line names are removed (a crash
     * between a tail's write and its line leaves one).
     */
    private static void loadCovered(Session session, boolean keep, Syncer syncer, SessionLimits limits) throws IOException {
        ConfinedDir dir = session.folder().dir();
        Map<Integer, ChunkLog.Line> last = new TreeMap<>();
        if (keep && dir.stat(ChunkLog.NAME).isPresent()) {
            ChunkLog.read(dir, limits.maxChunks(null)).stream().filter(ChunkLog.Line::covered)
                    .forEach(line -> last.put(line.index(), line));
        }
        ConfinedDir chunks = session.folder().chunks();
        List<ChunkLog.Line> kept = new ArrayList<>();
        Set<String> tails = new HashSet<>();
        for (ChunkLog.Line line : last.values()) {
            if (session.chunk(line.index()) != null) {
                continue;
            }
            if (line.kind() == 'T') {
                Path tail = tailEntry(line.index(), line.sha256());
                String name = tail.getFileName().toString();
                PosixFileAttributes attrs = chunks.stat(name).orElse(null);
                if (attrs == null || !attrs.isRegularFile() || attrs.size() != line.size() - line.coveredTo()) {
                    continue;
                }
                tails.add(name);
                session.list(StoredChunk.coveredWithTail(line.index(), line.sha256(), line.size(), line.coveredTo(), tail));
            } else {
                session.list(StoredChunk.covered(line.index(), line.sha256(), line.size()));
            }
            kept.add(line);
        }
        for (String name : chunks.list()) {
            if (TAIL_NAME.matcher(name).matches() && !tails.contains(name)) {
                chunks.deleteTree(name);
            }
        }
        if (dir.stat(ChunkLog.NAME).isPresent()) {
            ChunkLog.rewrite(dir, kept, syncer);
        }
    }

    private static boolean hashesTo(ConfinedDir dir, String name, String sha256, byte[] buffer) throws IOException {
        try (InputStream in = Files.newInputStream(dir.entry(name), LinkOption.NOFOLLOW_LINKS)) {
            return Sha256.of(in, buffer).equals(sha256);
        }
    }

    /**
     * A session whose log is its commit point: the last line of each index, if its bytes are there (and
     * with {@code verifyBuffer} hash to it); chunk files no surviving line names are leftovers. The log is
     * written again with exactly the chunks kept.
     */
    private static void loadLogged(Session session, byte[] verifyBuffer, int[] counts, Syncer syncer,
                                   SessionLimits limits) throws IOException {
        ConfinedDir dir = session.folder().dir();
        ConfinedDir chunks = session.folder().chunks();
        PosixFileAttributes dataAttrs = dir.stat(DATA).orElse(null);
        if (dataAttrs != null && !dataAttrs.isRegularFile()) {
            throw new IOException("'sessions/" + session.meta().id() + "/" + DATA + "' is not a regular file");
        }
        long dataSize = dataAttrs != null ? dataAttrs.size() : 0;
        long chunkSize = session.meta().chunkSize();
        Map<Integer, ChunkLog.Line> last = new TreeMap<>();
        ChunkLog.read(dir, limits.maxChunks(chunkSize)).stream().filter(line -> !line.covered())
                .forEach(line -> last.put(line.index(), line));
        List<ChunkLog.Line> kept = new ArrayList<>();
        Set<String> files = new HashSet<>();
        for (ChunkLog.Line line : last.values()) {
            String name = chunkName(line.index(), line.sha256());
            StoredChunk chunk = line.positioned()
                    ? new StoredChunk(line.index(), line.sha256(), line.size(), DATA_FILE, line.index() * chunkSize)
                    : new StoredChunk(line.index(), line.sha256(), line.size(), chunkEntry(line.index(), line.sha256()));
            boolean there = line.positioned() ? chunk.offset() + chunk.size() <= dataSize
                    : chunks.stat(name).filter(a -> a.isRegularFile() && a.size() == chunk.size()).isPresent();
            if (there && verifyBuffer != null) {
                counts[0]++;
                there = hashesTo(session.fileOf(chunk.file()), chunk, verifyBuffer);
                counts[1] += there ? 0 : 1;
            }
            if (there) {
                kept.add(line);
                session.list(chunk);
                if (!line.positioned()) {
                    files.add(name);
                }
            }
        }
        for (String name : chunks.list()) {
            if (!files.contains(name)) {
                chunks.deleteTree(name);
            }
        }
        ChunkLog.rewrite(dir, kept, syncer);
        session.positions(new PositionedWrites(dir.stat(SEALED).isPresent()));
    }

    private static boolean hashesTo(Path file, StoredChunk chunk, byte[] buffer) throws IOException {
        try (InputStream in = DirectFileInputStream.open(file, chunk.offset(), chunk.size(), NO_DIRECT_READS)) {
            return Sha256.of(in, buffer).equals(chunk.sha256());
        }
    }

    /** A rebuild reads through the page cache: it runs once, before any upload. */
    private static final AlignedBuffers NO_DIRECT_READS = new AlignedBuffers(0);

    /** The text of {@code name} in {@code dir} (a regular file of its own, within a bound), or "?" if it cannot be read. */
    static String readQuietly(ConfinedDir dir, String name) {
        try {
            return new String(dir.readSmall(name, MAX_NOTE_BYTES), StandardCharsets.UTF_8);
        } catch (IOException | UnsafePathException e) {
            return "?";
        }
    }
}
