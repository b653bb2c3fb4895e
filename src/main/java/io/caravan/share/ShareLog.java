package io.caravan.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.sync.SyncEntry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
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
 */
public final class ShareLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CHANGES = "changes.jsonl";
    static final String TREE = "tree.jsonl";

    /** A cursor the log cannot answer: older than the oldest event kept, or newer than the newest. */
    public static final class CursorExpiredException extends io.caravan.session.RequestRejectedException {
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
    private final Path dir;
    private final int keep;
    private final ArrayDeque<ShareEvent> events = new ArrayDeque<>();
    private final List<CompletableFuture<List<ShareEvent>>> waiters = new ArrayList<>();
    private final List<Long> waiterCursors = new ArrayList<>();
    /** Never changed once set: {@link #record} replaces it whole, so a {@link #listing} may read it without a copy. */
    private TreeMap<String, SyncEntry> tree;
    private long latest;
    private long lines;

    private ShareLog(String name, Path dir, int keep) {
        this.name = name;
        this.dir = dir;
        this.keep = keep;
    }

    /** Opens (or starts) the log in {@code dir}; {@link #tree()} is the saved tree, or null when there is none. */
    public static ShareLog open(String name, Path dir, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("a share log keeps at least 1 change, not " + keep);
        }
        Files.createDirectories(dir);
        ShareLog log = new ShareLog(name, dir, keep);
        Path changes = dir.resolve(CHANGES);
        if (Files.exists(changes)) {
            for (String line : Files.readAllLines(changes, StandardCharsets.UTF_8)) {
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
            }
        }
        Path saved = dir.resolve(TREE);
        if (Files.exists(saved)) {
            TreeMap<String, SyncEntry> entries = new TreeMap<>();
            for (String line : Files.readAllLines(saved, StandardCharsets.UTF_8)) {
                SyncEntry entry = SyncEntry.fromJson(JSON.readTree(line));
                entries.put(entry.path(), entry);
            }
            log.tree = entries;
            Files.delete(saved); // from now on only a clean stop leaves one
        }
        return log;
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
            for (int i = 0; i < waiters.size(); i++) {
                wake.add(waiters.get(i));
                try {
                    answers.add(afterLocked(waiterCursors.get(i)));
                } catch (CursorExpiredException e) {
                    answers.add(e); // more changes came at once than the log keeps
                }
            }
            waiters.clear();
            waiterCursors.clear();
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
     * one the next {@link #record} completes (or the caller times out with {@link #expire}).
     */
    public synchronized CompletableFuture<List<ShareEvent>> await(long since) {
        List<ShareEvent> now = afterLocked(since);
        if (!now.isEmpty()) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<List<ShareEvent>> waiter = new CompletableFuture<>();
        waiters.add(waiter);
        waiterCursors.add(since);
        return waiter;
    }

    /** Answers a waiter that timed out with no events (it asks again). */
    public void expire(CompletableFuture<List<ShareEvent>> waiter) {
        synchronized (this) {
            int at = waiters.indexOf(waiter);
            if (at < 0) {
                return;
            }
            waiters.remove(at);
            waiterCursors.remove(at);
        }
        waiter.complete(List.of());
    }

    /** Answers every waiting poll now, with no events (the server is stopping: they must not hold it up). */
    public void release() {
        List<CompletableFuture<List<ShareEvent>>> wake;
        synchronized (this) {
            wake = new ArrayList<>(waiters);
            waiters.clear();
            waiterCursors.clear();
        }
        wake.forEach(w -> w.complete(List.of()));
    }

    /** Saves the tree, so the next start numbers on from it without a reset. */
    public synchronized void save() throws IOException {
        if (tree == null) {
            return;
        }
        Path temp = dir.resolve(TREE + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            for (SyncEntry entry : tree.values()) {
                out.write(JSON.writeValueAsString(ShareEvent.entryJson(entry, null)));
                out.write('\n');
            }
        }
        Files.move(temp, dir.resolve(TREE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
        Files.writeString(dir.resolve(CHANGES), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        lines += numbered.size();
    }

    private void compact() throws IOException {
        Path temp = dir.resolve(CHANGES + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            for (ShareEvent event : events) {
                out.write(JSON.writeValueAsString(event.toJson()));
                out.write('\n');
            }
        }
        Files.move(temp, dir.resolve(CHANGES), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        lines = events.size();
    }
}
