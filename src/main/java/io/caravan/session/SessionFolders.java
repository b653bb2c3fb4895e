package io.caravan.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.unpack.Staging;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
    static final ObjectMapper JSON = new ObjectMapper();

    private SessionFolders() {
    }

    static final String DATA = "data";
    static final String SEALED = "data.sealed";

    /** The file a raw session's chunks are written into at their position. */
    static Path dataFile(Session session) {
        return session.dir().resolve(DATA);
    }

    /** The file a chunk is stored in once it is complete. */
    static Path chunkFile(Session session, int index, String sha256) {
        return session.chunkDir().resolve(String.format("%08d-%s.chunk", index, sha256));
    }

    /** How many chunk files a rebuild re-hashed, and how many of them it dropped because their bytes did not match. */
    record Rebuilt(int hashed, int dropped) {
    }

    /**
     * Rebuilds every session below {@code sessionsDir}: metadata and chunk file names; drops leftovers and
     * duplicates. With {@code verify} every chunk file is re-hashed first and dropped unless its bytes
     * hash to the SHA-256 in its name (after a power loss that may have torn unforced writes).
     */
    static Rebuilt load(Path sessionsDir, boolean verify, Syncer syncer, Consumer<Session> loaded) throws IOException {
        int[] counts = new int[2];
        byte[] buffer = verify ? new byte[1 << 20] : null;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sessionsDir)) {
            for (Path dir : dirs) {
                Path meta = dir.resolve("meta.json");
                if (!Files.isRegularFile(meta)) {
                    Staging.deleteTree(dir);
                    continue;
                }
                Session session = new Session(JSON.readValue(meta.toFile(), SessionMeta.class), dir);
                if (Files.isRegularFile(ChunkLog.in(dir))) {
                    loadLogged(session, buffer, counts, syncer);
                } else {
                    loadChunks(session, buffer, counts);
                }
                loaded.accept(session);
            }
        }
        return new Rebuilt(counts[0], counts[1]);
    }

    /** A chunk index found twice (a crash between a replacing rename and the old file's deletion) keeps the newer file. */
    private static void loadChunks(Session session, byte[] verifyBuffer, int[] counts) throws IOException {
        Files.createDirectories(session.chunkDir());
        Map<Integer, FileTime> newest = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(session.chunkDir())) {
            for (Path file : files) {
                Matcher m = CHUNK_NAME.matcher(file.getFileName().toString());
                if (!m.matches()) {
                    Files.delete(file);
                    continue;
                }
                if (verifyBuffer != null) {
                    counts[0]++;
                    if (!hashesTo(file, m.group(2), verifyBuffer)) {
                        counts[1]++;
                        Files.delete(file);
                        continue;
                    }
                }
                int index = Integer.parseInt(m.group(1));
                FileTime mtime = Files.getLastModifiedTime(file);
                StoredChunk earlier = session.chunk(index);
                if (earlier != null && newest.get(index).compareTo(mtime) > 0) {
                    Files.delete(file);
                    continue;
                }
                if (earlier != null) {
                    Files.delete(earlier.file()); // a chunk in a file of its own: this layout has no data file
                }
                newest.put(index, mtime);
                session.list(new StoredChunk(index, m.group(2), Files.size(file), file));
            }
        }
    }

    private static boolean hashesTo(Path file, String sha256, byte[] buffer) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Sha256.of(in, buffer).equals(sha256);
        }
    }

    /**
     * A session whose log is its commit point: the last line of each index, if its bytes are there (and
     * with {@code verifyBuffer} hash to it); chunk files no surviving line names are leftovers. The log is
     * written again with exactly the chunks kept.
     */
    private static void loadLogged(Session session, byte[] verifyBuffer, int[] counts, Syncer syncer) throws IOException {
        Files.createDirectories(session.chunkDir());
        Path data = dataFile(session);
        long dataSize = Files.isRegularFile(data) ? Files.size(data) : 0;
        long chunkSize = session.meta().chunkSize();
        Map<Integer, ChunkLog.Line> last = new TreeMap<>();
        ChunkLog.read(session.dir()).forEach(line -> last.put(line.index(), line));
        List<ChunkLog.Line> kept = new ArrayList<>();
        Set<Path> files = new HashSet<>();
        for (ChunkLog.Line line : last.values()) {
            StoredChunk chunk = line.positioned()
                    ? new StoredChunk(line.index(), line.sha256(), line.size(), data, line.index() * chunkSize)
                    : new StoredChunk(line.index(), line.sha256(), line.size(), chunkFile(session, line.index(), line.sha256()));
            boolean there = line.positioned() ? chunk.offset() + chunk.size() <= dataSize
                    : Files.isRegularFile(chunk.file()) && Files.size(chunk.file()) == chunk.size();
            if (there && verifyBuffer != null) {
                counts[0]++;
                there = hashesTo(chunk, verifyBuffer);
                counts[1] += there ? 0 : 1;
            }
            if (there) {
                kept.add(line);
                session.list(chunk);
                if (!line.positioned()) {
                    files.add(chunk.file());
                }
            }
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(session.chunkDir())) {
            for (Path file : all) {
                if (!files.contains(file)) {
                    Files.delete(file);
                }
            }
        }
        ChunkLog.rewrite(session.dir(), kept, syncer);
        session.positions(new PositionedWrites(Files.exists(session.dir().resolve(SEALED))));
    }

    private static boolean hashesTo(StoredChunk chunk, byte[] buffer) throws IOException {
        try (InputStream in = DirectFileInputStream.open(chunk.file(), chunk.offset(), chunk.size(), NO_DIRECT_READS)) {
            return Sha256.of(in, buffer).equals(chunk.sha256());
        }
    }

    /** A rebuild reads through the page cache: it runs once, before any upload. */
    private static final AlignedBuffers NO_DIRECT_READS = new AlignedBuffers(0);

    static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "?";
        }
    }
}
