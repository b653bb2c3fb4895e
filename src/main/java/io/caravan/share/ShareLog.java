package io.caravan.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import io.caravan.session.RequestRejectedException;
import io.caravan.sync.SyncEntry;
import io.caravan.util.BoundedLines;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The durable, numbered change log of one share and the tree it describes. Events are appended to
 * {@code changes.jsonl} (one JSON object a line) before waiting followers hear of them; the log keeps
 * the last {@code keep} events and is compacted (rewritten with those, atomically) when the file holds
 * twice as many. The tree is saved to {@code tree.jsonl} on a clean stop; a start
 * without it (a crash) records a {@link ShareEvent.Type#RESET}, after which followers compare the whole
 * tree. Sequence numbers only grow, across restarts.
 * <p>
 * Both files are read and written relative to the log folder, opened afresh for each operation
 * without following a link on the way ({@link ConfinedDir}): a link found as the folder is refused, one
 * found as either file is removed or replaced as a link (its target never touched, a warning logged),
 * and a line longer than any Caravan writes is skipped, never read whole.
 */
public final class ShareLog {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShareLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A line longer than this is damaged: the longest valid one holds two 4 KiB paths and a link target, escaped. */
    static final int MAX_LINE = 64 * 1024;
    static final String CHANGES = "changes.jsonl";
    static final String TREE = "tree.jsonl";

    /** A cursor the log cannot answer: older than the oldest event kept, or newer than the newest. */
    public static final class CursorExpiredException extends RequestRejectedException {
        CursorExpiredException(String share, long since, long oldest, long latest) {
            super(410, "cursor_expired", "share '" + share + "' keeps changes " + oldest + " to " + latest + ", not those after "
                    + since + ": compare the whole tree (GET /shares/" + share + "/listing) and follow from its sequence",
                    Map.of("oldest", oldest, "latest", latest));
        }
    }

    /** The tree at one sequence number (read-only). */
    public record Listing(long sequence, Map<String, SyncEntry> entries) {
    }

    /** The most events one answer holds, oldest first; a follower asks again from the last one it got. */
    public static final int MAX_EVENTS_PER_ANSWER = 1000;

    private final String name;
    private final Path anchor;
    private final String folder;
    private final int keep;
    private final ArrayDeque<ShareEvent> events = new ArrayDeque<>();
    /** The polls waiting, each with the cursor it waits after, the oldest first. */
    private final Map<CompletableFuture<List<ShareEvent>>, Long> waiters = new LinkedHashMap<>();
    /** Never changed once set: {@link #record} replaces it whole, so a {@link #listing} may read it without a copy. */
    private TreeMap<String, SyncEntry> tree;
    private long latest;
    private long lines;

    private ShareLog(String name, Path anchor, String folder, int keep) {
        this.name = name;
        this.anchor = anchor;
        this.folder = folder;
        this.keep = keep;
    }

    /** Opens (or starts) the log in {@code dir} itself; {@link #tree()} is the saved tree, or null when there is none. */
    public static ShareLog open(String name, Path dir, int keep) throws IOException {
        return open(name, dir, "", keep);
    }

    /**
     * Opens (or starts) the log in the folder {@code folder} below {@code anchor}, reached (and created)
     * without following a link; {@link #tree()} is the saved tree, or null when there is none.
     */
    public static ShareLog open(String name, Path anchor, String folder, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("a share log keeps at least 1 change, not " + keep);
        }
        ShareLog log = new ShareLog(name, anchor, folder, keep);
        try (ConfinedDir dir = log.folder()) {
            log.removeLink(dir, CHANGES);
            log.removeLink(dir, TREE);
            if (dir.stat(CHANGES).isPresent()) {
                log.readLines(dir, CHANGES, line -> {
                    try {
                        ShareEvent event = ShareEvent.fromJson(JSON.readTree(line));
                        log.events.addLast(event);
                        log.latest = Math.max(log.latest, event.seq());
                        log.lines++;
                    } catch (IOException | RuntimeException torn) {
                        // the last line of a crash: the events before it stand
                    }
                    if (log.events.size() > keep) {
                        log.events.removeFirst();
                    }
                });
            }
            if (dir.stat(TREE).isPresent()) {
                TreeMap<String, SyncEntry> entries = new TreeMap<>();
                log.readLines(dir, TREE, line -> {
                    SyncEntry entry = SyncEntry.fromJson(JSON.readTree(line));
                    entries.put(entry.path(), entry);
                });
                log.tree = entries;
                dir.delete(TREE); // from now on only a clean stop leaves one
            }
        }
        return log;
    }

    /** The log folder, opened (and created) below the anchor without following a link. */
    private ConfinedDir folder() throws IOException {
        Files.createDirectories(anchor);
        try (ConfinedDir root = ConfinedDir.open(anchor)) {
            return root.openDirs(folder);
        } catch (UnsafePathException e) {
            throw new IOException("share '" + name + "' cannot keep its change log: " + e.getMessage()
                    + "; remove it, and Caravan creates its own folder there", e);
        }
    }

    /** Removes a link found as one of the log's own files (never its target), saying so. */
    private void removeLink(ConfinedDir dir, String file) throws IOException {
        if (dir.stat(file).map(PosixFileAttributes::isSymbolicLink).orElse(false)) {
            LOG.warn("share '{}': '{}' is a symbolic link, which Caravan never reads or writes through: the link is"
                    + " removed (its target is left alone)", name, ConfinedDir.join(dir.display(), file));
            dir.delete(file);
        }
    }

    /** Passes each line of {@code file} on; skips (and logs) one longer than {@link #MAX_LINE}. */
    private void readLines(ConfinedDir dir, String file, BoundedLines.Each each) throws IOException {
        String shown = ConfinedDir.join(dir.display(), file);
        try (InputStream in = dir.readRegular(file)) {
            BoundedLines.read(in, MAX_LINE, line -> {
                if (line == null) {
                    LOG.warn("share '{}': a line of '{}' is longer than {} bytes, which Caravan never writes: skipped",
                            name, shown, MAX_LINE);
                } else {
                    each.line(line);
                }
            });
        } catch (UnsafePathException e) {
            throw new IOException("share '" + name + "' cannot read its change log: " + e.getMessage()
                    + "; remove it, and followers compare the whole tree once", e);
        }
    }

    public String name() {
        return name;
    }

    /** The last known tree, read-only (null before the first scan of a log without a saved tree). */
    public synchronized Map<String, SyncEntry> tree() {
        return tree == null ? null : java.util.Collections.unmodifiableSortedMap(tree);
    }

    public synchronized long latest() {
        return latest;
    }

    public synchronized int size() {
        return events.size();
    }

    public synchronized int waiting() {
        return waiters.size();
    }

    /**
     * The tree and the sequence number it is at, taken together: a read-only view of the tree, not a copy
     * (the tree is replaced, never changed, by {@link #record}), so it stays the tree of that sequence
     * number however long it is read, and costs nothing to take.
     */
    public synchronized Listing listing() {
        return new Listing(latest, tree == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(tree));
    }

    /**
     * Numbers and appends {@code changes} that led to {@code now}, then answers the followers waiting
     * for them. Returns the numbered events.
     */
    public List<ShareEvent> record(Map<String, SyncEntry> now, List<ShareEvent> changes) throws IOException {
        List<CompletableFuture<List<ShareEvent>>> wake = new ArrayList<>();
        List<Object> answers = new ArrayList<>();
        List<ShareEvent> numbered = new ArrayList<>();
        synchronized (this) {
            tree = new TreeMap<>(now);
            if (changes.isEmpty()) {
                return List.of();
            }
            for (ShareEvent change : changes) {
                numbered.add(change.numbered(latest + numbered.size() + 1));
            }
            append(numbered);
            latest += numbered.size();
            for (ShareEvent event : numbered) {
                events.addLast(event);
                if (events.size() > keep) {
                    events.removeFirst();
                }
            }
            for (Map.Entry<CompletableFuture<List<ShareEvent>>, Long> waiter : waiters.entrySet()) {
                wake.add(waiter.getKey());
                try {
                    answers.add(afterLocked(waiter.getValue()));
                } catch (CursorExpiredException e) {
                    answers.add(e); // more changes came at once than the log keeps
                }
            }
            waiters.clear();
            if (lines > 2L * keep) {
                compact();
            }
        }
        for (int i = 0; i < wake.size(); i++) {
            if (answers.get(i) instanceof CursorExpiredException e) {
                wake.get(i).completeExceptionally(e);
            } else {
                @SuppressWarnings("unchecked")
                List<ShareEvent> answer = (List<ShareEvent>) answers.get(i);
                wake.get(i).complete(answer);
            }
        }
        return numbered;
    }

    /** The events after {@code since}; {@link CursorExpiredException} when the log no longer (or never) held them. */
    public synchronized List<ShareEvent> after(long since) {
        return afterLocked(since);
    }

    /**
     * The events after {@code since} as soon as there are any: a completed future when there are, else
     * one the next {@link #record} completes (or the caller times out, or lets go, with {@link #expire}).
     */
    public CompletableFuture<List<ShareEvent>> await(long since) {
        return await(since, Integer.MAX_VALUE);
    }

    /**
     * As above, with at most {@code maxWaiting} polls waiting: one more that would wait is answered 503
     * {@code busy} ({@code caravan.share.max-waiting}).
     */
    public synchronized CompletableFuture<List<ShareEvent>> await(long since, int maxWaiting) {
        List<ShareEvent> now = afterLocked(since);
        if (!now.isEmpty()) {
            return CompletableFuture.completedFuture(now);
        }
        if (waiters.size() >= maxWaiting) {
            throw new RequestRejectedException(503, "busy", "share '" + name + "' has its most polls"
                    + " waiting (caravan.share.max-waiting=" + maxWaiting + "): try again shortly");
        }
        CompletableFuture<List<ShareEvent>> waiter = new CompletableFuture<>();
        waiters.put(waiter, since);
        return waiter;
    }

    /** Answers a waiter with no events and forgets it: it timed out (it asks again), or its client has gone. */
    public void expire(CompletableFuture<List<ShareEvent>> waiter) {
        synchronized (this) {
            if (waiters.remove(waiter) == null) {
                return;
            }
        }
        waiter.complete(List.of());
    }

    /** Answers every waiting poll now, with no events (the server is stopping: they must not hold it up). */
    public void release() {
        List<CompletableFuture<List<ShareEvent>>> wake;
        synchronized (this) {
            wake = new ArrayList<>(waiters.keySet());
            waiters.clear();
        }
        wake.forEach(w -> w.complete(List.of()));
    }

    /** Saves the tree, so the next start numbers on from it without a reset. */
    public synchronized void save() throws IOException {
        if (tree == null) {
            return;
        }
        try (ConfinedDir dir = folder()) {
            dir.replace(TREE, stream -> {
                BufferedWriter out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
                for (SyncEntry entry : tree.values()) {
                    out.write(JSON.writeValueAsString(ShareEvent.entryJson(entry, null)));
                    out.write('\n');
                }
                out.flush();
            });
        }
    }

    private List<ShareEvent> afterLocked(long since) {
        long oldest = events.isEmpty() ? latest + 1 : events.peekFirst().seq();
        if (since > latest || since < oldest - 1) {
            throw new CursorExpiredException(name, since, oldest, latest);
        }
        List<ShareEvent> after = new ArrayList<>();
        for (ShareEvent event : events) {
            if (event.seq() > since) {
                after.add(event);
                if (after.size() == MAX_EVENTS_PER_ANSWER) {
                    break; // the follower asks again from the last one
                }
            }
        }
        return after;
    }

    private void append(List<ShareEvent> numbered) throws IOException {
        StringBuilder text = new StringBuilder();
        for (ShareEvent event : numbered) {
            text.append(JSON.writeValueAsString(event.toJson())).append('\n');
        }
        try (ConfinedDir dir = folder()) {
            try (FileChannel out = dir.append(CHANGES)) {
                ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                lines += numbered.size();
            } catch (UnsafePathException notOwn) {
                // a link (or anything but Caravan's own file) put there: the log is written anew in its place
                LOG.warn("share '{}': {}: the change log is written anew in its place (its target is left alone)",
                        name, notOwn.why());
                rewrite(dir, numbered);
            }
        }
    }

    private void compact() throws IOException {
        try (ConfinedDir dir = folder()) {
            rewrite(dir, List.of());
        }
    }

    /** Replaces the change log with the events kept, then {@code more} (not yet among them). */
    private void rewrite(ConfinedDir dir, List<ShareEvent> more) throws IOException {
        dir.replace(CHANGES, stream -> {
            BufferedWriter out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
            for (ShareEvent event : events) {
                out.write(JSON.writeValueAsString(event.toJson()));
                out.write('\n');
            }
            for (ShareEvent event : more) {
                out.write(JSON.writeValueAsString(event.toJson()));
                out.write('\n');
            }
            out.flush();
        });
        lines = events.size() + more.size();
    }
}
