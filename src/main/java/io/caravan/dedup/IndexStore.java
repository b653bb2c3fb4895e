package io.caravan.dedup;

import io.caravan.dedup.ContentIndex.StoredFile;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a {@link DedupIndex} keeps its entries: files indexed by content hash and path, and files waiting
 * to be hashed, oldest first. The index checks every entry against the file before it answers it; the
 * store only keeps what it is told, durably, and lets several hashers take waiting files one each.
 *
 * <p>A store never fails its caller: the index is a cache. A change it cannot keep is logged and costs a
 * later re-send; a lookup it cannot make is a miss. Paths are index paths ({@link IndexedPaths}); an
 * entry's identity is the file's as seen by whoever recorded it, and a store shared by several machines
 * answers an entry recorded elsewhere with this machine's device number for the file at its path, the one
 * field of an identity that differs from machine to machine.
 */
public interface IndexStore {

    /**
     * The store of one receiver, in memory and in the JSON-lines log {@code logFile} ({@code dedup.jsonl});
     * the tab-separated index of older releases beside it is removed.
     */
    static IndexStore inLog(Path logFile) {
        DedupLog.dropTabSeparatedIndex(logFile.resolveSibling("dedup.tsv"));
        return new IndexEntries(new DedupLog(logFile));
    }

    /** What hashing a waiting file came to. */
    record Hashed(StoredFile indexed, boolean gaveUp) {

        /** The hash was not finished (the index is closing): the file stays waiting. */
        public static final Hashed GAVE_UP = new Hashed(null, true);

        /** The file hashed as {@code indexed}, or, when null, changed or went away meanwhile (it is not indexed). */
        public static Hashed as(StoredFile indexed) {
            return new Hashed(indexed, false);
        }
    }

    /** Hashes one waiting file. */
    @FunctionalInterface
    interface Hasher {
        Hashed hash(StoredFile waiting);
    }

    /** Reads what the store holds (a log is replayed); called once, before anything else. */
    void load();

    /** The entry indexed for this content, or null. */
    StoredFile bySha(String sha256);

    /** Files hashed on the publish path: indexed, superseding any waiting entry for their path. */
    void indexed(List<StoredFile> files);

    /** Files to hash later (entries without a hash). */
    void queued(List<StoredFile> files);

    /** Drops every entry, indexed or waiting, at or under {@code path}. */
    void forget(String path);

    /** Drops a changed entry, if it is still the one indexed for its path. */
    void drop(StoredFile file);

    /** Notes a new identity of the same content ({@code updated}), if {@code old} is still the entry for its path. */
    void replace(StoredFile old, StoredFile updated);

    /** Whether any file waits to be hashed (taken by a hasher or not). */
    boolean hasPending();

    /**
     * Takes the oldest waiting file that no other hasher holds, hashes it with {@code hasher} and records
     * the outcome: the file leaves the queue (indexed, or not when it changed) unless the hasher gave up.
     * A file published again or forgotten while it was hashed is not indexed. False when no file could be taken.
     */
    boolean hashNext(Hasher hasher);

    /**
     * Waits until files that other hashers held when this was called are done; true when it waited for
     * one (the queue may hold files to take again), false when nothing was held elsewhere.
     */
    boolean awaitOthers();
}
