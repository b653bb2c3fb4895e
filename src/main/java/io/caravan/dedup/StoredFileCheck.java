package io.caravan.dedup;

import io.caravan.dedup.ContentIndex.StoredFile;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import io.caravan.util.FileIdentity;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Checks index entries against the files on disk: an entry is answered only while its file keeps the
 * identity it was hashed with, or, where only the ctime moved, still hashes to it. An entry that
 * fails a check is dropped from the {@link IndexStore}.
 */
final class StoredFileCheck {

    private final Path inbox;
    private final IndexStore entries;
    private final BooleanSupplier closing;
    /** One aligned buffer, for the background hashing; a hash while it is taken reads through the page cache. */
    private final AlignedBuffers readBuffer = new AlignedBuffers(1);

    /** {@code closing}: whether the index is closing, so a hash in progress gives up. */
    StoredFileCheck(Path inbox, IndexStore entries, BooleanSupplier closing) {
        this.inbox = inbox;
        this.entries = entries;
        this.closing = closing;
    }

    /**
     * The entry for this hash if its file still has the identity it was hashed with. When only the
     * ctime differs (a hard link, a chmod, or a write that put the mtime back), the file is hashed
     * again to tell; an entry whose file changed otherwise, or went away, is dropped.
     */
    Optional<StoredFile> intact(String sha256) {
        StoredFile file = entries.bySha(sha256);
        if (file == null) {
            return Optional.empty();
        }
        FileIdentity now = identity(file).orElse(null);
        if (file.identity().equals(now)) {
            return Optional.of(file);
        }
        if (now != null && now.sameContentClaims(file.identity())) {
            return verified(file);
        }
        entries.drop(file);
        return Optional.empty();
    }

    /** The current identity of an entry's file, read without following any link on its way; empty when gone or unsafe. */
    Optional<FileIdentity> identity(StoredFile file) {
        try {
            Path path = IndexedPaths.resolve(inbox, file.path());
            return path == null ? Optional.empty() : FileIdentity.ofRegularFile(path);
        } catch (IOException e) {
            return Optional.empty(); // unreadable: treat as gone
        }
    }

    /** The entry's file, reached through real folders only; null when a folder on its way was replaced. */
    Path resolved(StoredFile file) {
        try {
            return IndexedPaths.resolve(inbox, file.path());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Hashes the entry's file again: the entry with the identity seen just before, when the bytes
     * still hash to it and nothing changed meanwhile; else the entry is dropped and empty answered.
     */
    Optional<StoredFile> verified(StoredFile file) {
        long seen = System.currentTimeMillis();
        FileIdentity before = identity(file).orElse(null);
        if (before == null || !before.sameContentClaims(file.identity())) {
            entries.drop(file);
            return Optional.empty();
        }
        String sha = hash(resolved(file));
        if (sha == null || !sha.equals(file.sha256()) || !before.equals(identity(file).orElse(null))) {
            entries.drop(file);
            return Optional.empty();
        }
        StoredFile checked = new StoredFile(file.sha256(), file.path(), before, seen);
        entries.replace(file, checked);
        return Optional.of(checked);
    }

    /**
     * The file's SHA-256, or null if it is gone, unreadable or the index is closing. Read with
     * O_DIRECT where possible: large published files were written so, and reading them back through
     * the page cache would cost more CPU than the hashing.
     */
    String hash(Path file) {
        if (file == null) {
            return null;
        }
        MessageDigest digest = Sha256.newDigest();
        byte[] bytes = new byte[AlignedBuffers.SIZE];
        try (InputStream in = DirectFileInputStream.open(file, readBuffer)) {
            for (int n; (n = in.read(bytes)) > 0; ) {
                if (closing.getAsBoolean()) {
                    return null; // shutting down: the file stays queued in the log
                }
                digest.update(bytes, 0, n);
            }
            return Sha256.hex(digest);
        } catch (IOException e) {
            return null; // removed or unreadable: not indexed
        }
    }
}
