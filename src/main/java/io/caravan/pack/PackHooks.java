package io.caravan.pack;

import io.caravan.util.FileIdentity;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Lets a sender take part in packing: files the receiver already holds travel as reference entries
 * (dedup), and large files are hashed as they are read so the next send can ask about them.
 */
public interface PackHooks {

    PackHooks NONE = new PackHooks() {
    };

    /**
     * SHA-256 of content the receiver holds for this file in the state {@code identity} (read before
     * anything of it), to send a reference instead; empty to send the bytes.
     */
    default Optional<String> reference(Path file, FileIdentity identity) {
        return Optional.empty();
    }

    /** Files at least this large are hashed while packed and reported to {@link #hashed}. */
    default long hashFilesFrom() {
        return Long.MAX_VALUE;
    }

    /**
     * A file was packed with its content and its SHA-256 computed on the way; {@code identity} is
     * its state as read at {@code seenMillis}, before its content was.
     */
    default void hashed(Path file, FileIdentity identity, long seenMillis, String sha256) {
    }

    /**
     * A file was sent as its own bytes without being hashed whole here: the receiver hashes it and
     * answers its SHA-256, which is then {@link #hashed} for this {@code identity}, read at {@code seenMillis}.
     */
    default void hashedByReceiver(Path file, FileIdentity identity, long seenMillis) {
    }

    /**
     * An entry whose name is not valid UTF-8 ({@link io.caravan.fs.NameRules#unreadable}) was met at
     * {@code name} (its place in the archive, the bytes that are not UTF-8 shown as {@code \xNN}:
     * {@link io.caravan.fs.NameRules#shownBytes}): true leaves it out (a
     * folder with all it holds), false (the default) fails the packing, since the entry can be neither
     * read by that name nor named in the archive.
     */
    default boolean leavesOutUnreadable(String name) {
        return false;
    }

    /**
     * Where an adaptive codec ({@code auto}) replays and records the level of each segment, so the
     * parcel packs to the same chunks when it is packed again; by default a fresh log in memory.
     */
    default LevelLog levels() {
        return LevelLog.inMemory();
    }

    /**
     * Where the shipping of the packed chunks notes who waited for whom, read by an adaptive codec
     * ({@code auto}) to choose its level; by default nothing is measured.
     */
    default LinkWaits linkWaits() {
        return LinkWaits.NONE;
    }
}
