package io.caravan.session;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.fs.UnsafePathException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Syncer} of this machine: fdatasync for a file, fsync for a folder. A small tree is forced
 * entry by entry; a larger one with one {@code syncfs} of its file system, which writes what is dirty
 * there and commits the journal once (one commit instead of one per file, the way PostgreSQL's
 * {@code recovery_init_sync_method=syncfs} does; it also writes other dirty files of that file system).
 * A tree is walked through open folders and never follows a link ({@link #tree}). The boot id is Linux's
 * {@code /proc/sys/kernel/random/boot_id}.
 */
final class SystemSyncer implements Syncer {

    private static final Logger LOG = LoggerFactory.getLogger(SystemSyncer.class);
    /** Up to this many entries a tree is forced entry by entry. */
    static final int SMALL_TREE = 32;
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final int O_RDONLY_CLOEXEC = 02000000;

    interface Calls extends Library {
        int open(String path, int flags, int mode) throws LastErrorException;

        int syncfs(int fd) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private volatile Calls calls;
    private volatile boolean noSyncfs;

    @Override
    public void file(Path file, FileChannel channel) throws IOException {
        channel.force(false);
    }

    @Override
    public void folder(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Walks {@code root} through open folders ({@link ConfinedDir}): a folder is opened from its parent without
     * following a link, a file opened without following one and without waiting (a FIFO is refused at once),
     * so an entry swapped for a link while the tree is walked is skipped, never followed. An entry that
     * vanished meanwhile is skipped too: there is nothing of it to force.
     */
    @Override
    public void tree(Path root) throws IOException {
        Path absolute = root.toAbsolutePath();
        Path parent = absolute.normalize().getParent();
        if (parent == null || ConfinedDir.isHeld(absolute)) { // a folder held open: itself, through its descriptor
            try (ConfinedDir top = ConfinedDir.open(absolute)) {
                forceFolder(top);
            }
            return;
        }
        try (ConfinedDir above = ConfinedDir.open(parent)) {
            String name = absolute.normalize().getFileName().toString();
            PosixFileAttributes attrs = above.stat(name).orElseThrow(() -> new NoSuchFileException(root.toString()));
            if (attrs.isDirectory()) {
                try (ConfinedDir top = above.openDir(name)) {
                    forceFolder(top);
                }
            } else if (attrs.isRegularFile()) {
                try (FileChannel channel = above.readLinked(name)) {
                    channel.force(false);
                } catch (AccessDeniedException e) {
                    syncfsOr(above, e); // a file whose mode lets nobody read it: force its whole file system
                }
            }
            // a link or a special file as the root: nothing of it is followed, so nothing to force
        }
    }

    /** {@code top} and everything below it: entry by entry when small, else with one syncfs. */
    private void forceFolder(ConfinedDir top) throws IOException {
        try {
            if (count(top, SMALL_TREE) > SMALL_TREE && syncfs(top.self())) {
                return;
            }
            force(top);
        } catch (AccessDeniedException e) {
            syncfsOr(top, e); // an entry whose mode lets nobody read it (a parcel may carry one)
        }
    }

    private void syncfsOr(ConfinedDir dir, AccessDeniedException e) throws IOException {
        if (!syncfs(dir.self())) {
            throw e;
        }
    }

    @Override
    public String bootId() {
        try {
            String id = Files.readString(BOOT_ID).trim();
            return id.isEmpty() ? null : id;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The entries below {@code dir}, counted up to one more than {@code limit}; a name that is not text (not
     * UTF-8, so not opened by name here) counts as more than the limit, for syncfs to force it.
     */
    private static int count(ConfinedDir dir, int limit) throws IOException {
        int counted = 0;
        for (Path entry : dir.entries()) {
            if (NameRules.unreadable(entry) || ++counted > limit) {
                return limit + 1;
            }
            String name = entry.getFileName().toString();
            if (dir.stat(name).map(PosixFileAttributes::isDirectory).orElse(false)) {
                try (ConfinedDir child = dir.openDir(name)) {
                    counted += count(child, limit - counted);
                } catch (UnsafePathException | NoSuchFileException changed) {
                    // swapped for a link or removed meanwhile: nothing below it to count
                }
                if (counted > limit) {
                    return limit + 1;
                }
            }
        }
        return counted;
    }

    /** Forces every regular file and folder below {@code dir} (deepest first), then {@code dir} itself. */
    private static void force(ConfinedDir dir) throws IOException {
        for (Path entry : dir.entries()) {
            String name = entry.getFileName().toString();
            Optional<PosixFileAttributes> attrs = dir.stat(name);
            try {
                if (attrs.isPresent() && attrs.get().isDirectory()) {
                    try (ConfinedDir child = dir.openDir(name)) {
                        force(child);
                    }
                } else if (attrs.isPresent() && attrs.get().isRegularFile()) {
                    try (FileChannel channel = dir.readLinked(name)) {
                        channel.force(false);
                    }
                }
            } catch (UnsafePathException | NoSuchFileException changed) {
                // swapped for a link or a special file, or removed, meanwhile: its name is forced with the folder
            }
        }
        try (FileChannel channel = FileChannel.open(dir.self(), StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** One syncfs of the file system holding {@code dir}; false when this system has none (then each entry is forced). */
    private boolean syncfs(Path dir) throws IOException {
        Calls c = calls();
        if (c == null) {
            return false;
        }
        int fd;
        try {
            fd = c.open(dir.toAbsolutePath().toString(), O_RDONLY_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + dir + " to force it to disk (errno " + e.getErrorCode() + ")", e);
        }
        try {
            c.syncfs(fd);
            return true;
        } catch (LastErrorException e) {
            throw new IOException("forcing the file system of " + dir + " to disk failed (errno " + e.getErrorCode()
                    + "): the disk may be failing; nothing was published", e);
        } finally {
            c.close(fd);
        }
    }

    private Calls calls() {
        if (noSyncfs) {
            return null;
        }
        Calls c = calls;
        if (c == null) {
            try {
                c = Native.load("c", Calls.class);
                calls = c;
            } catch (LinkageError | RuntimeException e) {
                noSyncfs = true;
                LOG.info("no syncfs here ({}): large trees are forced to disk file by file", e.toString());
                return null;
            }
        }
        return c;
    }
}
