package io.caravan.session;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Syncer} of this machine: fdatasync for a file, fsync for a folder. A small tree is forced
 * entry by entry; a larger one with one {@code syncfs} of its file system, which writes what is dirty
 * there and commits the journal once (one commit instead of one per file, the way PostgreSQL's
 * {@code recovery_init_sync_method=syncfs} does; it also writes other dirty files of that file system).
 * The boot id is Linux's {@code /proc/sys/kernel/random/boot_id}.
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

    @Override
    public void tree(Path root) throws IOException {
        Path anchor = Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) ? root : root.getParent();
        try {
            List<Path> files = new ArrayList<>();
            List<Path> folders = new ArrayList<>();
            if (!collect(root, files, folders, SMALL_TREE)) {
                if (syncfs(anchor)) {
                    return;
                }
                files.clear();
                folders.clear();
                collect(root, files, folders, Integer.MAX_VALUE);
            }
            for (Path file : files) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    channel.force(false);
                }
            }
            for (Path dir : folders) {
                folder(dir);
            }
        } catch (AccessDeniedException e) {
            // an entry whose mode lets nobody read it (a parcel may carry one): force its whole file system
            if (!syncfs(anchor)) {
                throw e;
            }
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

    /** Regular files and folders (deepest first) below {@code root}; false when there were more than {@code limit}. */
    private static boolean collect(Path root, List<Path> files, List<Path> folders, int limit) throws IOException {
        final boolean[] small = {true};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    files.add(file);
                }
                return files.size() + folders.size() > limit ? stop(small) : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                folders.add(dir);
                return files.size() + folders.size() > limit ? stop(small) : FileVisitResult.CONTINUE;
            }
        });
        return small[0];
    }

    private static FileVisitResult stop(boolean[] small) {
        small[0] = false;
        return FileVisitResult.TERMINATE;
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
