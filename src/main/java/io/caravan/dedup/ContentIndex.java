package io.caravan.dedup;

import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ReferenceUnavailableException;
import io.caravan.util.FileIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the receiver knows of the content it published, for dedup: published files by SHA-256.
 * Every implementation keeps these promises:
 *
 * <ul>
 * <li><b>A hit is the file as it was hashed.</b> {@link #find} answers a file only if, when it
 *     answers, the file still has the identity (device, inode, size, mtime, ctime) it had when it
 *     was hashed, is a regular file inside the inbox and is reached through real folders only (for a
 *     file another machine sharing the inbox hashed, whose device number is that machine's own: its
 *     inode, size, mtime and ctime). An identity that differs only where the bytes cannot have changed
 *     unseen (a ctime moved by a hard link or chmod) is settled by hashing the file again. A file that
 *     changed, went away, or is now reached through a symlink is dropped, never answered.</li>
 * <li><b>A hit is advice, a materialisation is proof.</b> Between {@code find} and its use the file
 *     may change; {@link #materialise} therefore checks again and writes to the target only bytes
 *     that hash to the asked SHA-256 (a hard link made right after the identity was checked, or a
 *     copy hashed while it is written). When the stored file changed meanwhile, the entry is dropped
 *     and {@link ReferenceUnavailableException} tells the caller; nothing is left at the target.</li>
 * <li><b>Misses do not depend on timing.</b> Files recorded for hashing later ({@link #recordLater})
 *     are hashed before a lookup misses, so an answer is the same whether background hashing ran or not
 *     (here, or on another receiver sharing the index).</li>
 * <li><b>What was forgotten stays forgotten.</b> After {@link #forget} of a path, nothing at or under it
 *     is answered until it is recorded again (by any receiver sharing the index). Every publish that
 *     replaces or removes a path forgets it; a file being hashed meanwhile is not indexed from its old state.</li>
 * <li><b>Durable across restarts, but only a cache.</b> Recorded, queued and forgotten files are found
 *     again after a restart; an entry lost (a damaged log line) costs a later re-send, never a wrong answer.</li>
 * </ul>
 */
public interface ContentIndex extends AutoCloseable {

    /**
     * An indexed file: its content hash (null while it waits to be hashed), path relative to the
     * inbox, identity when it was hashed, and when that identity was seen (wall clock).
     */
    record StoredFile(String sha256, String path, FileIdentity identity, long seenMillis) {

        public long size() {
            return identity.size();
        }

        /** Whether its identity was seen too soon after the file's last change to vouch for its bytes. */
        boolean inDoubt() {
            return !identity.settledBefore(seenMillis);
        }
    }

    /** The intact stored file with this content (lower-case hex SHA-256), if any. */
    Optional<StoredFile> find(String sha256);

    /** Indexes published files whose SHA-256 is known: path → sha256 (anything not a regular file inside the inbox is skipped). */
    void record(List<Map.Entry<Path, String>> files);

    /** Queues published files to be hashed and indexed off the publish path (they are found all the same). */
    void recordLater(List<Path> files);

    /** Drops every entry (indexed or waiting) at or under {@code pathOrFolder}, absolute inside the inbox or relative to it. */
    void forget(Path pathOrFolder);

    /**
     * Writes the stored content with this SHA-256 to {@code target}, a path that does not exist yet: a
     * hard link when {@code mayLink} accepts the stored file and it is, right before the link, the one
     * that was hashed; else a verified copy. {@code size} is checked when not negative. Returns whether it linked.
     *
     * @throws ReferenceUnavailableException when no stored file holds these bytes (any more); nothing
     *         is left at {@code target}
     */
    boolean materialise(String sha256, long size, Path target, ExtractHooks.StoredFileCheck mayLink) throws IOException;

    /** Stops background work; what waits to be hashed stays queued for the next start. */
    @Override
    void close();
}
