package io.caravan.dedup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.dedup.ContentIndex.StoredFile;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import io.caravan.util.BoundedLines;
import io.caravan.util.FileIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dedup index on disk ({@code dedup.jsonl}): one JSON object per line, appended as the index
 * changes: {@code {"op":"index", "sha256", "path", "dev", "ino", "size", "mtime_ns", "ctime_ns",
 * "seen_ms"}} for a hashed file, {@code "op":"queue"} (no hash) for a file waiting to be hashed,
 * {@code {"op":"forget", "path"}} for a path published over or removed. Names are escaped by the
 * JSON encoding, so no name can break a line. Reading never fails: a line that is not valid UTF-8
 * JSON, lacks a field or names a path that is not a plain relative path inside the inbox is logged
 * and skipped. Writing never fails a publish either: the index is a cache, and an entry lost costs
 * a later re-send, never a wrong answer. The log is reached from its folder opened without following a
 * link ({@link ConfinedDir#openStateFolder}): a link (or pipe, or hard link) found as the log is removed
 * as itself and the log written anew, a link as the folder leaves the index in memory, logged.
 */
final class DedupLog {

    private static final Logger LOG = LoggerFactory.getLogger(DedupLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** A line longer than this is damaged: the longest valid one holds a 4 KiB path, escaped. */
    private static final int MAX_LINE = 64 * 1024;

    /** What a replayed log line does to the index. */
    interface Replay {
        void indexed(StoredFile file);

        void queued(StoredFile file);

        void forgotten(String path);
    }

    /** Counts of one load: lines applied and lines skipped as damaged. */
    record Loaded(long applied, long skipped) {
    }

    private final Path file;
    private boolean warned;

    DedupLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * The index of releases before the JSON-lines log: names could break its lines, so it is not
     * read; files published before are found again once published anew.
     */
    static void dropTabSeparatedIndex(Path tsv) {
        try (ConfinedDir dir = folder(tsv)) {
            if (dir.stat(tsv.getFileName().toString()).isPresent()) {
                dir.delete(tsv.getFileName().toString()); // a link there is removed as a link
                LOG.info("dedup index: the old {} was dropped (names could corrupt it); files published before are"
                        + " sent in full once more", tsv);
            }
        } catch (IOException | UnsafePathException e) {
            LOG.warn("dedup index: the old {} cannot be removed ({}); it is not used", tsv, e.getMessage());
        }
    }

    /** Replays every valid line in order; skips (and logs) damaged ones; an unreadable file counts as empty. */
    Loaded load(Replay replay) {
        long[] counts = new long[3]; // applied, skipped, line number
        try (ConfinedDir dir = folder(file)) {
            replaceLink(dir);
            try (InputStream in = dir.readRegular(name())) {
                BoundedLines.read(in, MAX_LINE, line -> {
                    counts[2]++;
                    String problem = line == null ? "longer than " + MAX_LINE + " bytes" : apply(line, replay);
                    if (problem == null) {
                        counts[0]++;
                    } else {
                        counts[1]++;
                        LOG.warn("dedup index {}: line {} skipped ({}); the files it named are sent again when needed",
                                file, counts[2], problem);
                    }
                });
            }
        } catch (NoSuchFileException e) {
            return new Loaded(0, 0);
        } catch (IOException | UnsafePathException e) {
            LOG.warn("dedup index {} cannot be read ({}); starting with what was read ({} entries), the rest is"
                    + " indexed again as files are published", file, e.getMessage(), counts[0]);
            return new Loaded(counts[0], counts[1] + 1);
        }
        return new Loaded(counts[0], counts[1]);
    }

    private static ConfinedDir folder(Path file) throws IOException {
        return ConfinedDir.openStateFolder(file.toAbsolutePath().normalize().getParent());
    }

    private String name() {
        return file.getFileName().toString();
    }

    /** Removes a link found as the log (never its target), saying so: the log is then written anew. */
    private void replaceLink(ConfinedDir dir) throws IOException {
        if (dir.stat(name()).map(PosixFileAttributes::isSymbolicLink).orElse(false)) {
            dir.delete(name());
            removed("'" + name() + "' is a symbolic link, which Caravan never reads or writes through: the link is removed"
                    + " (its target is left alone)");
        }
    }

    private void removed(String what) {
        LOG.warn("dedup index {}: {}; the index is written anew", file, what);
    }

    /** Applies one line; the problem with it, or null when it was applied. */
    private static String apply(byte[] line, Replay replay) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            return "not JSON in UTF-8";
        }
        if (node == null || !node.isObject()) {
            return "not a JSON object";
        }
        String op = node.path("op").asText("");
        String path = node.path("path").isTextual() ? node.path("path").asText() : null;
        if (!IndexedPaths.valid(path)) {
            return "no valid relative path inside the inbox";
        }
        switch (op) {
            case "forget" -> replay.forgotten(path);
            case "index", "queue" -> {
                FileIdentity identity = identity(node);
                if (identity == null || !node.path("seen_ms").canConvertToLong()) {
                    return "incomplete file identity";
                }
                String sha = null;
                if (op.equals("index")) {
                    sha = node.path("sha256").asText("");
                    if (!SHA256.matcher(sha).matches()) {
                        return "no valid sha256";
                    }
                }
                StoredFile stored = new StoredFile(sha, path, identity, node.path("seen_ms").asLong());
                if (sha == null) {
                    replay.queued(stored);
                } else {
                    replay.indexed(stored);
                }
            }
            default -> {
                return "unknown op '" + op + "'";
            }
        }
        return null;
    }

    private static FileIdentity identity(JsonNode node) {
        for (String field : List.of("dev", "ino", "size", "mtime_ns", "ctime_ns")) {
            if (!node.path(field).isIntegralNumber() || !node.path(field).canConvertToLong()) {
                return null;
            }
        }
        if (node.path("size").asLong() < 0) {
            return null;
        }
        return new FileIdentity(node.path("dev").asLong(), node.path("ino").asLong(), node.path("size").asLong(),
                node.path("mtime_ns").asLong(), node.path("ctime_ns").asLong());
    }

    void indexed(Collection<StoredFile> files) {
        append(files.stream().map(f -> line(f, "index")).toList());
    }

    void queued(Collection<StoredFile> files) {
        append(files.stream().map(f -> line(f, "queue")).toList());
    }

    void forgotten(String path) {
        append(List.of(JSON.createObjectNode().put("op", "forget").put("path", path)));
    }

    /** Replaces the log with exactly these entries (written aside, then renamed over it). */
    void rewrite(Collection<StoredFile> indexed, Collection<StoredFile> queued) {
        try (ConfinedDir dir = folder(file)) {
            dir.replace(name(), out -> {
                OutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
                for (StoredFile f : indexed) {
                    write(buffered, line(f, "index"));
                }
                for (StoredFile f : queued) {
                    write(buffered, line(f, "queue"));
                }
                buffered.flush();
            });
        } catch (IOException | UnsafePathException e) {
            problem("cannot be rewritten", e);
        }
    }

    private void append(List<ObjectNode> lines) {
        if (lines.isEmpty()) {
            return;
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (ConfinedDir dir = folder(file)) {
            for (ObjectNode line : lines) {
                write(all, line);
            }
            try (FileChannel out = dir.appendOwn(name(), this::removed)) {
                ByteBuffer bytes = ByteBuffer.wrap(all.toByteArray());
                while (bytes.hasRemaining()) {
                    out.write(bytes); // one write for all but huge batches: lines of concurrent appends never interleave
                }
            }
        } catch (IOException | UnsafePathException e) {
            problem("cannot be appended to", e);
        }
    }

    private void problem(String what, Exception e) {
        if (!warned) {
            LOG.warn("dedup index {} {} ({}); the index goes on in memory, files published meanwhile are sent again"
                    + " after a restart", file, what, e.toString());
            warned = true;
        }
    }

    private static ObjectNode line(StoredFile f, String op) {
        ObjectNode node = JSON.createObjectNode().put("op", op);
        if (f.sha256() != null) {
            node.put("sha256", f.sha256());
        }
        FileIdentity id = f.identity();
        return node.put("path", f.path()).put("dev", id.dev()).put("ino", id.ino()).put("size", id.size())
                .put("mtime_ns", id.mtimeNanos()).put("ctime_ns", id.ctimeNanos()).put("seen_ms", f.seenMillis());
    }

    private static void write(OutputStream out, ObjectNode line) throws IOException {
        out.write(JSON.writeValueAsString(line).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }
}
