package io.caravan.dedup;

import io.caravan.dedup.ContentIndex.StoredFile;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ReferenceUnavailableException;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.FileIdentity;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Writes a stored file's content to a new path only from bytes that still hash to its entry: a hard
 * link after the identity was checked right before it (and the file hashed again when the identity
 * was seen too soon after a change to vouch for it), otherwise a copy that is hashed as it is written
 * and deleted when it does not match. An entry found not to hold its bytes is dropped.
 */
final class Materialiser {

    private final IndexStore entries;
    private final StoredFileCheck check;

    Materialiser(IndexStore entries, StoredFileCheck check) {
        this.entries = entries;
        this.check = check;
    }

    /** {@code file}: the entry found for the asked hash; see {@link ContentIndex#materialise}. */
    boolean materialise(StoredFile file, long size, Path target, ExtractHooks.StoredFileCheck mayLink)
            throws IOException {
        if (size >= 0 && file.size() != size) {
            throw new ReferenceUnavailableException(null, file.sha256(), "this receiver holds with " + file.size()
                    + " bytes, not " + size);
        }
        Path stored = check.resolved(file);
        if (stored != null && mayLink.test(stored) && linked(file, stored, target)) {
            return true;
        }
        copyVerified(file, target);
        return false;
    }

    /**
     * Links {@code target} to the stored file if it still is the file that was hashed; false when it
     * cannot be linked here or changed meanwhile (the checked copy then decides).
     */
    private boolean linked(StoredFile file, Path stored, Path target) throws IOException {
        if (file.inDoubt()) {
            StoredFile doubted = file;
            file = check.verified(doubted).orElseThrow(() -> unavailable(doubted, "no longer holds these bytes"));
        }
        FileIdentity before = FileIdentity.ofRegularFile(stored).orElse(null);
        if (!file.identity().equals(before)) {
            return false;
        }
        try {
            Files.createLink(target, stored);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // another file system, or links not allowed here
        }
        FileIdentity after = FileIdentity.ofRegularFile(target).orElse(null);
        if (after == null || !after.sameContentClaims(before)) {
            Files.deleteIfExists(target);
            return false;
        }
        // the link itself changed the ctime: note the new identity, seen now, so the next link hashes first
        entries.replace(file, new StoredFile(file.sha256(), file.path(), after, System.currentTimeMillis()));
        return true;
    }

    /** Copies the stored file to {@code target} while hashing it; deletes the copy and drops the entry when the bytes differ. */
    private void copyVerified(StoredFile file, Path target) throws IOException {
        Path stored = check.resolved(file);
        if (stored == null) {
            throw unavailable(file, "a folder on its way was replaced");
        }
        long seen = System.currentTimeMillis();
        FileIdentity before = FileIdentity.ofRegularFile(stored).orElse(null);
        if (before == null || !before.sameContentClaims(file.identity())) {
            throw unavailable(file, "changed or went away since it was hashed");
        }
        MessageDigest digest = Sha256.newDigest();
        long copied = 0;
        byte[] buffer = new byte[AlignedBuffers.SIZE];
        boolean same = false;
        try (InputStream in = Files.newInputStream(stored, LinkOption.NOFOLLOW_LINKS);
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
                copied += n;
            }
            same = copied == file.size() && Sha256.hex(digest).equals(file.sha256());
        } finally {
            if (!same) {
                Files.deleteIfExists(target);
            }
        }
        if (!same) {
            throw unavailable(file, "no longer holds these bytes");
        }
        if ((file.inDoubt() || !before.equals(file.identity()))
                && before.equals(FileIdentity.ofRegularFile(stored).orElse(null))) {
            entries.replace(file, new StoredFile(file.sha256(), file.path(), before, seen));
        }
    }

    private ReferenceUnavailableException unavailable(StoredFile file, String what) {
        entries.drop(file);
        return new ReferenceUnavailableException(null, file.sha256(), "was stored as " + file.path() + " but " + what);
    }
}
