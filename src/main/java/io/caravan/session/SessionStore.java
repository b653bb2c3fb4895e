package io.caravan.session;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The upload sessions a receiver holds and the chunks stored in them. Every implementation keeps
 * these promises, which the protocol's answers rely on:
 *
 * <ul>
 * <li><b>An acknowledged chunk survives a crash.</b> When {@link #write} returns, the chunk's bytes
 *     and its place under its index and SHA-256 survive a crash of the process: right after it, the
 *     chunk is readable with exactly those bytes after the restart. Whether they also survive a crash
 *     of the machine (power loss, reset) is the store's {@link Durability}: with {@code chunk} they are
 *     forced to stable storage before the write returns and do; with {@code publish} they are not, and
 *     after such a crash the chunk may be missing or hold its previous body, but is never reported
 *     with bytes that do not hash to its SHA-256 (see the rebuild below). A write that fails or is cut
 *     short leaves nothing that looks like a chunk; the chunk index holds what it held before (nothing,
 *     or the previous body).</li>
 * <li><b>Replace semantics.</b> A chunk index sent again with the same SHA-256 is a no-op answered
 *     {@link ChunkWrite.Outcome#IDENTICAL}; with a different SHA-256 the new body replaces the old one
 *     ({@link ChunkWrite.Outcome#REPLACED}), and once the write returns the old body is never served
 *     again. A body that does not hash to the SHA-256 the sender gave is refused
 *     ({@link ChunkDigestMismatchException}) and changes nothing.</li>
 * <li><b>Concurrent writers.</b> Two writes of the same index at once are serialised where they
 *     commit: each is answered as if it came alone after the other (the second one IDENTICAL or
 *     REPLACED), and the index then holds exactly one of the two bodies, whole: the one committed
 *     last. Listeners are told of every change that is not IDENTICAL, on the writing thread, after it
 *     committed (so two racing writes may tell them in either order; the stored chunk is the truth).
 *     Writes to different indices or sessions do not wait for each other beyond the commit step. A
 *     write racing the session's removal fails with 404 or 410 and leaves no chunk behind.</li>
 * <li><b>Rebuild after a restart.</b> A new store on the same storage holds every session that was
 *     open (not removed, whether expired or not) with its metadata and every acknowledged chunk, by
 *     index and SHA-256; for an index written twice, the newer body. Leftovers of interrupted writes
 *     are dropped. Results of finished sessions ({@link #finishedResult}) and the expiry of expired
 *     ones (410, not 404) are recovered for a session lifetime after they happened. Kept bodies and
 *     listeners are not: they belong to the process.</li>
 * <li><b>A session that receives chunks does not expire.</b> It expires {@link #ttl} after its start or its
 *     last renewal; a chunk stored once half of that passed renews it ({@link Session#renewal}), durably (a new
 *     store, and every node sharing the storage, see the new {@code expires_at}). So a sender still sending is
 *     never expired under it, and the renewal costs one write per half lifetime. {@link #expire} removes a
 *     session only while it is expired as the storage holds it; on this node, after a finish running on it.</li>
 * <li><b>A torn chunk is never reported.</b> The store records the machine's boot ({@link Syncer#bootId})
 *     and its durability when it starts. A store started in the same boot trusts what it finds under a
 *     chunk's name, because the page cache kept every acknowledged write. A store started in a later
 *     boot (or when either boot is unknown), over chunks stored unforced ({@code publish}), first
 *     re-hashes every stored chunk and drops those whose bytes do not hash to their SHA-256 (torn,
 *     short, zeroed); only the others are listed, so a status after a power loss is exact and the
 *     sender sends the dropped ones again. A store that forces every chunk, started over chunks a
 *     store in the same boot stored unforced, forces them before it answers anything.</li>
 * </ul>
 *
 * Limits ({@link SessionLimits}) are checked before anything is stored; a refused request stores nothing.
 */
public interface SessionStore {

    /** How long a session lives after it was created or last renewed (see the promises above). */
    Duration ttl();

    /**
     * A folder this store holds open and keeps its sessions in that was removed from the file system while it
     * ran, or moved away from its place (its path as configured), or empty when none was. Once one was, what it held is gone and nothing can be
     * stored in it: the receiver says so to every request that fails and in its health, until it is restarted.
     */
    default Optional<Path> removedFolder() {
        return Optional.empty();
    }

    SessionLimits limits();

    /** When chunks last arrived: background work may wait for a quiet moment. */
    UploadActivity activity();

    /** The open sessions (expired ones too, until {@link #expire} removes them). */
    Collection<Session> sessions();

    /** A new raw or archive session ({@code kind}); 429 when the open-session limit is reached, 507 when the disk is full. */
    default Session create(String name, String kind, String codec, Long chunkSize, String onConflict) throws IOException {
        return create(name, kind, codec, chunkSize, onConflict, null);
    }

    /** A new session; {@code mode} is null, or {@link SessionMeta#APPLY} for a mirror parcel. */
    default Session create(String name, String kind, String codec, Long chunkSize, String onConflict, String mode)
            throws IOException {
        return create(name, kind, codec, chunkSize, onConflict, mode, false, false);
    }

    /** A new session without a size hint. */
    default Session create(String name, String kind, String codec, Long chunkSize, String onConflict, String mode,
                           boolean into, boolean force) throws IOException {
        return create(name, kind, codec, chunkSize, onConflict, mode, into, force, null);
    }

    /**
     * A new session, durable when this returns; {@code into} and {@code force} say how its name is placed,
     * {@code size} is the sender's size hint or null (see {@link SessionMeta}).
     */
    Session create(String name, String kind, String codec, Long chunkSize, String onConflict, String mode,
                   boolean into, boolean force, Long size) throws IOException;

    /**
     * Replaces the publish options of open session {@code session} ({@code on_conflict} and {@code force}, see
     * {@link SessionMeta#withPublishOptions}), as a finish that gives them again does; durable when this returns:
     * {@code session.meta()} answers them at once, a new store on the same storage (after a crash) recovers them,
     * and {@link #currentMeta} reads them on every node sharing the storage. Callers hold {@link #exclusively}.
     *
     * @throws SessionNotFoundException (404) when the session was removed
     */
    void replacePublishOptions(Session session, String onConflict, boolean force) throws IOException;

    /**
     * The session's metadata as its storage holds it now, listed as {@code session.meta()} from then on: where
     * several nodes share the storage, a finish on another one may have replaced its publish options. A store
     * that no other process shares answers {@code session.meta()}.
     */
    default SessionMeta currentMeta(Session session) throws IOException {
        return session.meta();
    }

    /**
     * The open session with that id.
     *
     * @throws SessionNotFoundException (404) when no such session is known
     * @throws SessionExpiredException (410) when it expired, whether or not it was removed yet
     */
    Session get(String id);

    /**
     * The session with that id as it was open at {@code asOf}: for a chunk whose request head came then, whose body
     * may have taken past the session's expiry (its write then renews it). Not for new requests: {@link #get(String)}.
     *
     * @throws SessionNotFoundException (404) when no such session is known (or it was removed since)
     * @throws SessionExpiredException (410) when it had expired by {@code asOf}
     */
    Session get(String id, Instant asOf);

    /** The result recorded when session {@code id} was finished, for a session lifetime after it. */
    Optional<String> finishedResult(String id);

    /**
     * Stores {@code body} as chunk {@code index} of {@code session}, checked against
     * {@code expectedSha256} if given, with the guarantees above; a body that a listener will read
     * next may stay in memory for it (within the read-ahead budget).
     */
    ChunkWrite write(Session session, int index, ChunkBody body, String expectedSha256) throws IOException;

    /**
     * Renews the session's lifetime if a chunk arriving now is due to ({@link Session#renewal}), durably, as
     * {@link #write} does: for a chunk taken without a write (extracted from its request body). A removed
     * session is left as it is.
     */
    void renew(Session session) throws IOException;

    /** The same for a body in one buffer. */
    default ChunkWrite write(Session session, int index, ByteBuffer body, String expectedSha256) throws IOException {
        return write(session, index, ChunkBody.of(body), expectedSha256);
    }

    /** The same for a body in several buffers, as Netty holds it. */
    default ChunkWrite write(Session session, int index, ByteBuffer[] body, String expectedSha256) throws IOException {
        return write(session, index, ChunkBody.of(body), expectedSha256);
    }

    /**
     * Hands a raw session's assembled file to its publish without copying it, when its first
     * {@code count} chunks lie in order at their positions in one file that holds nothing else: links
     * that file as {@code target} (a new name on the same file system) and answers true. From then on no
     * chunk of the session is written into that file, whatever happens to the publish. False when the
     * chunks are not laid out so (the caller joins them itself); the session is unchanged either way.
     */
    default boolean linkAssembled(Session session, int count, Path target) throws IOException {
        return false;
    }

    /**
     * Whether this store lists covered chunks ({@link #cover} may answer true): the disk store with durability
     * {@code publish}. With {@code chunk} a chunk's 201 promises it survives a power loss, which an extraction
     * that is not forced at each checkpoint does not; the postgres store keeps every chunk as a file.
     */
    default boolean coversChunks() {
        return false;
    }

    /**
     * Lists chunk {@code index} of archive session {@code session} as covered: its {@code size} bytes, which
     * hashed to {@code sha256}, were taken by the session's extraction from the request body, and a checkpoint
     * of that extraction lies at byte {@code coveredTo} of it or past its end ({@code coveredTo == size}), so
     * its bytes before that point are never needed again and never written as a chunk file
     * ({@link StoredChunk#covered}). Below {@code size}, the bytes after that point (its tail) must have been
     * written first ({@link #writeTail}): an extraction resumed at that checkpoint reads them
     * ({@link #openTail}). Durable as a stored chunk is (a crash of the process keeps it; it is dropped by a
     * store started after a reboot, {@link #startedAfterReboot}, since the extraction that covers it was not
     * forced). A covered chunk sent again with its SHA-256 is {@link ChunkWrite.Outcome#IDENTICAL}; with
     * another it is refused (409 {@code chunk_extracted}): its bytes are extracted already. False (nothing
     * changed) when the store does not cover chunks ({@link #coversChunks}), the session is not an archive
     * session, the index holds a chunk already, or the tail is not there whole; the caller then stores the
     * body. Never waits for the session's monitor (a finish holds it while it waits for the extraction), so
     * an extraction may call it and {@link #uncover}.
     */
    default boolean cover(Session session, int index, String sha256, long size, long coveredTo) throws IOException {
        return false;
    }

    /**
     * Writes {@code tail}, the bytes of chunk {@code index} (SHA-256 {@code sha256}) after the checkpoint a
     * later {@link #cover} names, as a file of its own: unlisted until that cover, and removed at the next
     * start if none comes.
     */
    default void writeTail(Session session, int index, String sha256, java.nio.ByteBuffer[] tail) throws IOException {
        throw new UnsupportedOperationException("this store covers no chunks");
    }

    /** Removes the tail {@link #writeTail} wrote for chunk {@code index} when no cover lists it; absent is fine. */
    default void dropTail(Session session, int index, String sha256) {
    }

    /** The tail kept of a chunk covered up to a point ({@link StoredChunk#hasTail}). */
    default InputStream openTail(Session session, StoredChunk chunk) throws IOException {
        throw new java.io.FileNotFoundException("chunk " + chunk.index() + " has no tail kept");
    }

    /**
     * Drops every covered chunk of {@code session} for good (an extraction that starts from chunk 0 again needs
     * their bytes, which are gone): they are listed no more, so the sender sends them again; their indices.
     */
    default List<Integer> uncover(Session session) throws IOException {
        return List.of();
    }

    /**
     * Whether this store started after a reboot of the machine over chunks stored unforced: what an extraction
     * wrote unforced before it (staging folders, checkpoints) may be torn too and is not resumed from.
     */
    default boolean startedAfterReboot() {
        return false;
    }

    /** Reads a stored chunk's bytes (from memory when its body was kept for the reader, else from storage). */
    InputStream open(Session session, StoredChunk chunk) throws IOException;

    /** Bytes of chunk bodies kept in memory for readers right now. */
    long heldBytes();

    /**
     * Removes a session and its chunks, telling its listeners; with a {@code finishedResult} (a
     * successful finish) that result is durable before the session is gone, so a finish is never lost
     * between the two.
     */
    void remove(Session session, String finishedResult) throws IOException;

    /**
     * Runs {@code finish} of session {@code id} while no other finish of it runs, in this process and on any
     * other node sharing this store's storage; the default is the process alone (the caller's own lock). The
     * finish is given the store's {@link NameLock}: a name it takes is held until {@code finish} returns, against
     * finishes on the other nodes sharing the storage; the default's orders nothing (the process alone, whose
     * caller orders its own finishes).
     */
    default <T> T exclusively(String id, Exclusive<T> finish) throws IOException {
        return exclusively(id, () -> true, finish);
    }

    /**
     * {@link #exclusively(String, Exclusive)} for a finish whose client may hang up: while {@code asked} is true the
     * finish waits for its locks; once it is false (the client's connection closed) a store that waits for another
     * node stops waiting and throws a {@link RequestRejectedException} ({@code client_gone}), running nothing.
     */
    default <T> T exclusively(String id, java.util.function.BooleanSupplier asked, Exclusive<T> finish)
            throws IOException {
        return finish.run(name -> { });
    }

    /** Work done under {@link #exclusively}. */
    @FunctionalInterface
    interface Exclusive<T> {
        T run(NameLock names) throws IOException;
    }

    /**
     * The lock of a published name across the nodes sharing a store, given to a finish by {@link #exclusively}.
     * A finish takes the name it publishes right before it swaps it into place, and holds it until its work ends
     * (its catalog record): two finishes publishing one name on two nodes then swap and record in the same order.
     */
    @FunctionalInterface
    interface NameLock {
        /**
         * Waits for the lock of {@code name} and holds it until the finish's work ends; a finish takes at most one.
         *
         * @throws IOException a {@link RequestRejectedException} (503 busy) when another finish held it too long
         */
        void take(String name) throws IOException;
    }

    /** Removes expired sessions (they answer 410 from then on) and forgets results and expiries older than a lifetime; the ids removed. */
    List<String> expire() throws IOException;
}
