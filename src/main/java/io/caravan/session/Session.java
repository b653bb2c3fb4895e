package io.caravan.session;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Collections;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One upload session in memory: its metadata and the chunks stored on disk, by index, with their
 * count and byte total kept as they are listed (never summed). The chunk map is only changed by the
 * {@link SessionStore} under the session's monitor; readers may look at it at any time.
 */
public final class Session {

    /** Replaced only by the store, when a finish gives other publish options. */
    private volatile SessionMeta meta;
    /** The session's folder by its path; null for a session of the disk store, reached through {@link #folder}. */
    private final Path dir;
    /** The folders the paths go through, for a session of the disk store; null for chunk folders reached by path. */
    private final SessionFolder folder;
    private final NavigableMap<Integer, StoredChunk> chunks = new ConcurrentSkipListMap<>();
    /** The sizes of {@link #chunks} summed, and their count; changed only with it, in {@link #list}. */
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong count = new AtomicLong();
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    /** Guarded by itself, not the session's monitor, which a finish holds while it waits for the reader. */
    private final Map<Integer, HeldBody> held = new HashMap<>();
    /**
     * Guards covered chunks ({@link SessionStore#cover}, {@link SessionStore#uncover}) instead of the session's
     * monitor, which a finish holds while it waits for the extraction that uncovers them; a stored body's look at
     * what its index holds and its listing are made under it too, so a cover and a stored body of one index never
     * both list it. Taken after the session's monitor, never before it, and nothing waits for an extraction's
     * state while holding it (an extraction holds its state while it covers a chunk).
     */
    private final Object coverLock = new Object();
    private volatile boolean removed;
    /** Null unless chunks may be written at their position in the session's data file. */
    private volatile PositionedWrites positions;

    Session(SessionMeta meta, Path dir) {
        this.meta = meta;
        this.dir = dir;
        this.folder = null;
    }

    /** A session whose folder and chunk folder are reached through {@code folder}, never by their paths again. */
    Session(SessionMeta meta, SessionFolder folder) {
        this.meta = meta;
        this.dir = null;
        this.folder = folder;
    }

    /** The folders of a session of the disk store (null otherwise); its paths are valid while an operation is in them. */
    SessionFolder folder() {
        return folder;
    }

    public SessionId id() {
        return new SessionId(meta.id());
    }

    public SessionMeta meta() {
        return meta;
    }

    /** Lists {@code meta}, which differs from {@link #meta()} in its publish options only, as this session's. */
    void meta(SessionMeta meta) {
        if (!meta.id().equals(this.meta.id())) {
            throw new IllegalArgumentException("metadata of session " + meta.id() + " given to session " + this.meta.id());
        }
        this.meta = meta;
    }

    Path dir() {
        return folder != null ? folder.path() : dir;
    }

    /**
     * The path of {@code file} as a {@link StoredChunk} names it: a name relative to the session folder
     * ({@code data}, {@code chunks/<name>}) through the open folder it is in, or an absolute path as it is.
     */
    Path fileOf(Path file) {
        return folder != null ? folder.resolve(file) : dir.resolve(file);
    }

    /** The chunk writes at a position in the data file, or null when every chunk goes to a file of its own. */
    PositionedWrites positions() {
        return positions;
    }

    void positions(PositionedWrites positions) {
        this.positions = positions;
    }

    Path chunkDir() {
        return folder != null ? folder.chunksPath() : dir.resolve("chunks");
    }

    public NavigableMap<Integer, StoredChunk> chunks() {
        return Collections.unmodifiableNavigableMap(chunks);
    }

    /** Lists {@code stored} under its index, in place of the chunk listed there before (returned, or null). */
    StoredChunk list(StoredChunk stored) {
        StoredChunk before = chunks.put(stored.index(), stored);
        bytes.addAndGet(stored.size() - (before == null ? 0 : before.size()));
        if (before == null) {
            count.incrementAndGet();
        }
        return before;
    }

    Object coverLock() {
        return coverLock;
    }

    /** Lists chunk {@code index} no more (returned, or null when none was). */
    StoredChunk unlist(int index) {
        StoredChunk before = chunks.remove(index);
        if (before != null) {
            bytes.addAndGet(-before.size());
            count.decrementAndGet();
        }
        return before;
    }

    public StoredChunk chunk(int index) {
        return chunks.get(index);
    }

    /** The bytes of the chunks held. */
    public long bytes() {
        return bytes.get();
    }

    /** How many chunks are held. */
    public long chunkCount() {
        return count.get();
    }

    public boolean expired(Instant now) {
        return Instant.parse(meta.expiresAt()).isBefore(now);
    }

    /**
     * The metadata this session takes when a chunk arrives at {@code now}, if that renews its lifetime: a session
     * lives {@code ttl} after the last renewal, and a chunk renews it once half of that has passed (so a store
     * writes the renewal at most once per half lifetime, however many chunks come). Empty when none is due. A
     * session that expired while a chunk's body was on the wire is renewed by it too: only a chunk whose head came
     * before the expiry reaches a store ({@link SessionStore#get(String, Instant)}), and a removed session is never
     * renewed (the stores check).
     */
    public Optional<SessionMeta> renewal(Instant now, Duration ttl) {
        Instant expiresAt = Instant.parse(meta.expiresAt());
        if (now.isBefore(expiresAt.minus(ttl.dividedBy(2)))) {
            return Optional.empty();
        }
        return Optional.of(meta.withExpiresAt(now.truncatedTo(ChronoUnit.SECONDS).plus(ttl).toString()));
    }

    /** Whether the store removed this session (deleted, finished or expired); set under its monitor. */
    boolean removed() {
        return removed;
    }

    void markRemoved() {
        removed = true;
    }

    public void addListener(SessionListener listener) {
        listeners.add(listener);
    }

    List<SessionListener> listeners() {
        return listeners;
    }

    /** Keeps {@code body} as chunk {@code index}'s bytes; answers a body it no longer keeps (to let go), or null. */
    HeldBody hold(int index, HeldBody body) {
        synchronized (held) {
            return held.put(index, body);
        }
    }

    /** The kept body of {@code chunk} (same index and hash), no longer kept; null if there is none. */
    HeldBody takeHeld(StoredChunk chunk) {
        synchronized (held) {
            HeldBody body = held.get(chunk.index());
            if (body == null || !body.sha256().equals(chunk.sha256())) {
                return null;
            }
            return held.remove(chunk.index());
        }
    }

    /** The kept body of chunk {@code index}, whatever its hash, no longer kept; null if there is none. */
    HeldBody release(int index) {
        synchronized (held) {
            return held.remove(index);
        }
    }

    /** Bodies kept before {@code millis}, no longer kept. */
    List<HeldBody> dropHeldBefore(long millis) {
        synchronized (held) {
            List<HeldBody> stale = held.values().stream().filter(b -> b.keptAt() < millis).toList();
            held.values().removeAll(stale);
            return stale;
        }
    }

    /** Every kept body, no longer kept. */
    List<HeldBody> dropHeld() {
        synchronized (held) {
            List<HeldBody> bodies = List.copyOf(held.values());
            held.clear();
            return bodies;
        }
    }
}
