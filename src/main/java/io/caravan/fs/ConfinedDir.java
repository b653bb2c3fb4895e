package io.caravan.fs;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An open directory that every operation below it starts from. Paths are walked one segment at a
 * time with {@code openat(O_NOFOLLOW | O_DIRECTORY)}, and single-name operations go through
 * {@code /proc/self/fd/<fd>/<name>}, which the kernel resolves from this open directory, never from
 * its path again. So no symbolic link in a parent position is ever followed, whatever is planted or
 * swapped meanwhile, and a final segment that is a link is acted on as a link, never through it.
 * Names given to single-name methods are one segment: no {@code /}, not {@code .} or {@code ..}.
 */
public final class ConfinedDir implements AutoCloseable {

    private static final int WALK = LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
    private static final Path PROC_FD = Path.of("/proc/self/fd");

    private final int fd;
    private final String display;
    private boolean closed;

    private ConfinedDir(int fd, String display) {
        this.fd = fd;
        this.display = display;
    }

    /** Opens {@code dir} itself (a trusted, configured path; links in it are followed) as the anchor. */
    public static ConfinedDir open(Path dir) throws IOException {
        return open(dir, "");
    }

    /** {@link #open(Path)}, its entries named {@code display/<name>} in what it throws. */
    private static ConfinedDir open(Path dir, String display) throws IOException {
        try {
            return new ConfinedDir(LibC.INSTANCE.open(dir.toAbsolutePath().toString(),
                    LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0), display);
        } catch (LastErrorException e) {
            throw failure(e, dir.toString(), dir.toString());
        }
    }

    /**
     * The folder {@code dir} itself, its last segment opened from its parent without following a link: a folder
     * that was replaced by a link since it was configured (a share) is refused, never followed. The parent is
     * trusted (a configured path).
     */
    public static ConfinedDir openItself(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        if (absolute.getParent() == null) {
            return open(absolute);
        }
        try (ConfinedDir parent = open(absolute.getParent())) {
            return parent.openDir(absolute.getFileName().toString());
        }
    }

    /**
     * The folder {@code dir}, created when missing, its last segment opened from its parent without
     * following a link: for a state folder such as {@code <inbox>/.caravan}, which whoever may write the
     * inbox could replace by a link. The parent is trusted (a configured path).
     */
    public static ConfinedDir openStateFolder(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Files.createDirectories(absolute.getParent());
        try (ConfinedDir parent = open(absolute.getParent())) {
            return parent.openDirs(absolute.getFileName().toString());
        }
    }

    /** The folder at {@code relative} below this one; refuses a link or a file on the way. */
    public ConfinedDir openDir(String relative) throws IOException {
        return walk(relative, false);
    }

    /** Like {@link #openDir}, creating missing folders (mode 0755 before umask). */
    public ConfinedDir openDirs(String relative) throws IOException {
        return walk(relative, true);
    }

    private ConfinedDir walk(String relative, boolean create) throws IOException {
        ConfinedDir current = this;
        try {
            for (String segment : segments(relative)) {
                ConfinedDir next = current.child(segment, create);
                if (current != this) {
                    current.close();
                }
                current = next;
            }
        } catch (IOException | RuntimeException e) {
            if (current != this) {
                current.close();
            }
            throw e;
        }
        return current == this ? child(".", false) : current;
    }

    private ConfinedDir child(String segment, boolean create) throws IOException {
        String shown = segment.equals(".") ? display : join(display, segment);
        for (int attempt = 0; ; attempt++) {
            try {
                return new ConfinedDir(LibC.INSTANCE.openat(fd, segment, WALK, 0), shown);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.ENOENT && create && attempt < 3) {
                    try {
                        Files.createDirectory(entry(segment));
                    } catch (FileAlreadyExistsException raced) {
                        // created meanwhile: open what is there now (and refuse it if it is a link)
                    }
                    continue;
                }
                if (e.getErrorCode() == LibC.ELOOP || e.getErrorCode() == LibC.ENOTDIR) {
                    boolean link = stat(segment).map(PosixFileAttributes::isSymbolicLink).orElse(false);
                    throw new UnsafePathException(shown, link
                            ? "'" + shown + "' is a symbolic link, and Caravan never reads or writes through links"
                            : "'" + shown + "' is a file, not a folder");
                }
                throw failure(e, shown, segment);
            }
        }
    }

    /** The attributes of the entry {@code name} itself (a link is described, not followed); empty when absent. */
    public Optional<PosixFileAttributes> stat(String name) throws IOException {
        try {
            return Optional.of(Files.readAttributes(entry(name), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Unix identity of the entry (device, inode, size, mtime, ctime) without following it; empty when absent. */
    public Optional<FileIdentity> identity(String name) throws IOException {
        try {
            return Optional.of(FileIdentity.of(entry(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The names in this folder, sorted. */
    public List<String> list() throws IOException {
        return entries().stream().map(p -> p.getFileName().toString()).toList();
    }

    /**
     * The entries of this folder through its open descriptor, sorted by name as {@link #list} sorts them: each
     * path keeps the bytes of its name, which its text may not show (a name that is not UTF-8:
     * {@link NameRules#unreadable}, {@link NameRules#shownBytes}).
     */
    public List<Path> entries() throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(self())) {
            stream.forEach(entries::add);
        }
        entries.sort(java.util.Comparator.comparing(p -> p.getFileName().toString()));
        return entries;
    }

    /**
     * The entries of this folder through its open descriptor, in the order the file system lists them, read as
     * they are iterated (the caller closes the stream): for folders of any size, where {@link #entries} and
     * {@link #list} hold every name at once to sort them.
     */
    public DirectoryStream<Path> stream() throws IOException {
        return Files.newDirectoryStream(self());
    }

    /** A new folder {@code name}, made with {@code attributes} (such as its permissions) at once. */
    public void mkdir(String name, java.nio.file.attribute.FileAttribute<?>... attributes) throws IOException {
        Files.createDirectory(entry(name), attributes);
    }

    public void symlink(String name, String target) throws IOException {
        Files.createSymbolicLink(entry(name), Path.of(target));
    }

    /** A new file {@code name} (refused if anything is there, a dangling link included), open for writing. */
    public FileChannel create(String name, OpenOption... extra) throws IOException {
        Set<OpenOption> options = new HashSet<>(List.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS));
        options.addAll(List.of(extra));
        return FileChannel.open(entry(name), options);
    }

    /**
     * Reads the regular file {@code name} (one with other names too); refused, never followed and never waited on,
     * when it is a link, a pipe, a device or a folder (a pipe swapped in for a file between a check and this open
     * would hold the reading thread until some process wrote to it).
     */
    public InputStream read(String name) throws IOException {
        return Channels.newInputStream(readLinked(name));
    }

    /**
     * The bytes of the regular file {@code name}, refused (never followed, never waited on) when it is a
     * link, a pipe, a device or a folder, or has other names (hard links); refused with the size when it
     * holds more than {@code limit} bytes, so a state file cannot make its reader take more memory than that.
     */
    public byte[] readSmall(String name, long limit) throws IOException {
        try (FileChannel in = openRegular(name, LibC.O_RDONLY, StandardOpenOption.READ)) {
            long size = in.size();
            if (size > limit) {
                throw new IOException("'" + join(display, name) + "' holds " + size + " bytes, larger than the "
                        + limit + " it may");
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                // until full or the end (a file that shrank meanwhile); what grew meanwhile is not read
            }
            buffer.flip();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
    }

    /**
     * Reads the regular file {@code name}, refused (never followed, never waited on) when it is a link,
     * a pipe, a device or a folder, or has other names (hard links): for Caravan's own state files.
     */
    public InputStream readRegular(String name) throws IOException {
        return Channels.newInputStream(readChannel(name));
    }

    /** Like {@link #readRegular}, as a channel (positioned reads, transfers). */
    public FileChannel readChannel(String name) throws IOException {
        return openRegular(name, LibC.O_RDONLY, StandardOpenOption.READ);
    }

    /**
     * Opens the regular file {@code name} for reading, with {@code extra} options such as
     * {@code ExtendedOpenOption.DIRECT}; refused (never followed, never waited on) when it is a link, a pipe,
     * a device or a folder. Unlike {@link #readChannel} a file with other names is read: for chunk and data
     * files, which a finish may link into staging.
     */
    public FileChannel readLinked(String name, OpenOption... extra) throws IOException {
        Set<OpenOption> options = new HashSet<>(List.of(StandardOpenOption.READ));
        options.addAll(List.of(extra));
        return openRegular(name, LibC.O_RDONLY, false, options.toArray(OpenOption[]::new));
    }

    /**
     * {@link #readLinked} of {@code file}'s last segment, from its folder opened as the anchor: for a file whose
     * folder is trusted or reached through an open folder ({@code /proc/self/fd/N/./name}).
     */
    public static FileChannel readFile(Path file, OpenOption... extra) throws IOException {
        Path absolute = file.toAbsolutePath();
        try (ConfinedDir folder = open(absolute.getParent(), absolute.getParent().toString())) {
            return folder.readLinked(absolute.getFileName().toString(), extra);
        }
    }

    /**
     * Opens the regular file {@code name} for appending, creating it (mode 0644 before umask) when absent;
     * a link, a pipe, a device, a folder or a file with other names (hard links) is refused as
     * {@link UnsafePathException}, never written through or waited on.
     */
    public FileChannel append(String name) throws IOException {
        return openRegular(name, LibC.O_WRONLY | LibC.O_APPEND | LibC.O_CREAT, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    /**
     * Like {@link #append}, for a file only Caravan writes: anything else found under {@code name} (a link,
     * a pipe, a file with other names) is first removed, itself, never its target, and its description
     * passed to {@code removed} (to be logged); a folder there is refused.
     */
    public FileChannel appendOwn(String name, java.util.function.Consumer<String> removed) throws IOException {
        try {
            return append(name);
        } catch (UnsafePathException notOwn) {
            if (stat(name).map(PosixFileAttributes::isDirectory).orElse(true)) {
                throw notOwn;
            }
            delete(name);
            removed.accept(notOwn.why() + ": removed (what it pointed to or shared is left alone), and the file"
                    + " started anew");
            return append(name);
        }
    }

    /**
     * Replaces {@code name} with a file written by {@code content}: written under {@code name.tmp} and
     * renamed over it in one step, so a reader sees the old file or the new one, and a link found at
     * either name is replaced as a link, its target never touched.
     */
    public void replace(String name, ContentWriter content) throws IOException {
        String temp = name + ".tmp";
        if (stat(temp).isPresent()) {
            deleteTree(temp); // left by a crash, or planted
        }
        try (FileChannel out = create(temp)) {
            content.write(Channels.newOutputStream(out));
        }
        rename(temp, this, name);
    }

    /** Writes the new content of a file {@link #replace} puts in place (the stream is closed for it). */
    @FunctionalInterface
    public interface ContentWriter {
        void write(java.io.OutputStream out) throws IOException;
    }

    private FileChannel openRegular(String name, int flags, OpenOption... options) throws IOException {
        return openRegular(name, flags, true, options);
    }

    private FileChannel openRegular(String name, int flags, boolean own, OpenOption... options) throws IOException {
        String shown = join(display, name);
        int opened;
        try {
            // O_NONBLOCK: a pipe planted under the name is opened (or refused) at once, not waited on
            opened = LibC.INSTANCE.openat(fd, checked(name), flags | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0644);
        } catch (LastErrorException e) {
            throw openFailure(e, shown, name);
        }
        return regular(opened, shown, own, options);
    }

    /**
     * Opens the regular file {@code file} for reading, its folders taken as they are (a trusted path: links in them
     * are followed), in one call: refused, never followed and never waited on, when it is a link, a pipe, a device
     * or a folder. For the files a packing reads, one after the other, where opening each folder would double the
     * cost.
     */
    public static FileChannel readPath(Path file) throws IOException {
        String shown = file.toString();
        int opened;
        try {
            opened = LibC.INSTANCE.open(file.toAbsolutePath().toString(),
                    LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw openFailure(e, shown, shown);
        }
        return regular(opened, shown, false, StandardOpenOption.READ);
    }

    /** The failure of an open of {@code shown}: thrown as {@link UnsafePathException} for a link or a socket, else returned. */
    private static IOException openFailure(LastErrorException e, String shown, String name) {
        if (e.getErrorCode() == LibC.ELOOP) {
            throw new UnsafePathException(shown, "'" + shown + "' is a symbolic link, and Caravan never reads or writes through links");
        }
        if (e.getErrorCode() == LibC.ENXIO) {
            throw new UnsafePathException(shown, "'" + shown + "' is not a regular file");
        }
        return failure(e, shown, name);
    }

    /** The descriptor {@code opened} as a channel when it is a regular file (with no other names when {@code own}); closes it. */
    private static FileChannel regular(int opened, String shown, boolean own, OpenOption... options) throws IOException {
        try {
            Path self = Path.of("/proc/self/fd/" + opened);
            PosixFileAttributes attrs = Files.readAttributes(self, PosixFileAttributes.class);
            if (!attrs.isRegularFile()) {
                throw new UnsafePathException(shown, "'" + shown + "' is not a regular file");
            }
            if (own && ((Number) Files.getAttribute(self, "unix:nlink")).intValue() > 1) {
                throw new UnsafePathException(shown, "'" + shown + "' has other names (hard links), so it is not Caravan's own");
            }
            // the same regular file again, as a channel Java can use (the descriptor above is closed below)
            return FileChannel.open(self, options);
        } finally {
            try {
                LibC.INSTANCE.close(opened);
            } catch (LastErrorException ignored) {
                // released either way
            }
        }
    }

    /** Renames {@code name} to {@code target} in {@code to}, atomically replacing a file or link (not a folder) there. */
    public void rename(String name, ConfinedDir to, String target) throws IOException {
        Files.move(entry(name), to.entry(target), StandardCopyOption.ATOMIC_MOVE);
        moved();
    }

    /**
     * Run by a thread right after each rename or exchange it makes here; unset in the product. A test sets it to stop
     * a thread between two moves as a killed process would, to check what a restart then finds.
     */
    static final ThreadLocal<Runnable> AFTER_MOVE = new ThreadLocal<>();

    private static void moved() {
        Runnable after = AFTER_MOVE.get();
        if (after != null) {
            after.run();
        }
    }

    /** Renames {@code name} to {@code target} in {@code to}; false (nothing changed) when {@code target} exists. */
    public boolean renameNoReplace(String name, ConfinedDir to, String target) throws IOException {
        try {
            LibC.INSTANCE.renameat2(fd, checked(name), to.fd, checked(target), LibC.RENAME_NOREPLACE);
            moved();
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EEXIST) {
                return false;
            }
            if (unsupported(e)) {
                if (to.stat(target).isPresent()) {
                    return false;
                }
                rename(name, to, target);
                return true;
            }
            throw failure(e, join(display, name), name);
        }
    }

    /**
     * Swaps {@code name} here and {@code other} in {@code to} in one atomic step (both must exist);
     * false when the file system cannot, and then nothing changed.
     */
    public boolean exchange(String name, ConfinedDir to, String other) throws IOException {
        try {
            LibC.INSTANCE.renameat2(fd, checked(name), to.fd, checked(other), LibC.RENAME_EXCHANGE);
            moved();
            return true;
        } catch (LastErrorException e) {
            if (unsupported(e)) {
                return false;
            }
            throw failure(e, join(display, name), name);
        }
    }

    private static boolean unsupported(LastErrorException e) {
        return e.getErrorCode() == LibC.EINVAL || e.getErrorCode() == LibC.ENOSYS;
    }

    /** Removes the file, link or empty folder {@code name}. */
    public void delete(String name) throws IOException {
        Files.delete(entry(name));
    }

    /** Removes {@code name} and, for a folder, everything below it, never following a link; absent is fine. */
    public void deleteTree(String name) throws IOException {
        Optional<PosixFileAttributes> attrs = stat(name);
        if (attrs.isEmpty()) {
            return;
        }
        if (attrs.get().isDirectory()) {
            try (ConfinedDir dir = openDir(name)) {
                dir.makeWritable();
                for (String child : dir.list()) {
                    dir.deleteTree(child);
                }
            } catch (UnsafePathException swapped) {
                // replaced by a file or link meanwhile: remove that entry itself
            }
        }
        try {
            Files.delete(entry(name));
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        } catch (DirectoryNotEmptyException grew) {
            deleteTree(name);
        }
    }

    /**
     * Gives the owner read, write and search permission on this folder (needed to change what it
     * holds); returns the permissions it had when they changed, else null (for {@link #restore}).
     */
    public Set<PosixFilePermission> makeWritable() throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(self(), PosixFileAttributeView.class);
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        if (perms.containsAll(List.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE))) {
            return null;
        }
        Set<PosixFilePermission> writable = new HashSet<>(perms);
        writable.add(PosixFilePermission.OWNER_WRITE);
        writable.add(PosixFilePermission.OWNER_EXECUTE);
        writable.add(PosixFilePermission.OWNER_READ);
        view.setPermissions(writable);
        return perms;
    }

    /** Sets this folder's permissions back to what {@link #makeWritable} returned (nothing when null). */
    public void restore(Set<PosixFilePermission> permissions) throws IOException {
        if (permissions != null) {
            Files.getFileAttributeView(self(), PosixFileAttributeView.class).setPermissions(permissions);
        }
    }

    /** Sets the permissions of {@code name} without following it (a link keeps its own). */
    public void setPermissions(String name, Set<PosixFilePermission> permissions) throws IOException {
        if (stat(name).map(PosixFileAttributes::isSymbolicLink).orElse(true)) {
            return;
        }
        Files.getFileAttributeView(entry(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(permissions);
    }

    /**
     * Sets the mode bits of {@code name} ({@code 07777}: permissions, and setuid, setgid and sticky as
     * given) without following it (a link keeps its own).
     */
    public void setMode(String name, int mode) throws IOException {
        if (stat(name).map(PosixFileAttributes::isSymbolicLink).orElse(true)) {
            return;
        }
        Files.setAttribute(entry(name), "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
    }

    /** Sets the modification time of {@code name} itself, a link's own included. */
    public void setModified(String name, FileTime time) throws IOException {
        FileTimes.set(fd, name, time, join(display, name)); // exactly, whatever the time (FileTimes)
    }

    /**
     * The path of {@code name} through this open directory ({@code /proc/self/fd/N/name}): valid while
     * this is open, for one call that does not follow its last segment.
     */
    public Path entry(String name) {
        return self().resolve(checked(name));
    }

    /** This folder through its open descriptor ({@code /proc/self/fd/N/.}, a folder even for no-follow calls). */
    public Path self() {
        if (closed) {
            throw new IllegalStateException("folder '" + display + "' was closed");
        }
        return Path.of("/proc/self/fd/" + fd, ".");
    }

    /**
     * Whether {@code path} names a folder held open ({@code /proc/self/fd/N/.} as {@link #self()} gives it, or
     * {@code /proc/self/fd/N}): that folder is reached through its descriptor, and has no name of its own there.
     */
    public static boolean isHeld(Path path) {
        return PROC_FD.equals(path.toAbsolutePath().normalize().getParent());
    }

    /**
     * Whether the folder held open has been removed from the file system (its link count is 0, as after an
     * {@code rm -rf} of it or of a folder above it): nothing written through it can be found by its path again,
     * even when a folder of the same name has been made since. False when that cannot be told.
     */
    public boolean removed() {
        if (closed) {
            return false;
        }
        try {
            return ((Number) Files.getAttribute(PROC_FD.resolve(String.valueOf(fd)), "unix:nlink")).longValue() == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether {@code path} (its last segment not followed) is this held folder still: false when the folder
     * was moved away or removed and something else (or nothing) is there now. False when that cannot be told.
     */
    public boolean at(Path path) {
        if (closed) {
            return false;
        }
        try {
            Object held = Files.readAttributes(PROC_FD.resolve(String.valueOf(fd)), java.nio.file.attribute.BasicFileAttributes.class)
                    .fileKey();
            Object there = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
            return held != null && held.equals(there);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** This folder's path relative to the anchor it was opened from, for messages ("" for the anchor). */
    public String display() {
        return display;
    }

    /** Segments of a relative path; refuses empty, absolute, {@code .} and {@code ..} forms. */
    public static List<String> segments(String relative) {
        List<String> segments = new ArrayList<>();
        if (relative.isEmpty()) {
            return segments;
        }
        if (relative.startsWith("/")) {
            throw new UnsafePathException(relative, "'" + relative + "' is an absolute path");
        }
        for (String segment : relative.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new UnsafePathException(relative, "'" + relative + "' has a '" + segment + "' part");
            }
            segments.add(segment);
        }
        return segments;
    }

    private static String checked(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a single name: '" + name + "'");
        }
        return name;
    }

    /** {@code parent/name}, or {@code name} when the parent is the anchor. */
    public static String join(String parent, String name) {
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    static IOException failure(LastErrorException e, String shown, String name) {
        return switch (e.getErrorCode()) {
            case LibC.ENOENT -> new NoSuchFileException(shown);
            case LibC.ENOTDIR -> new NotDirectoryException(shown);
            case LibC.EEXIST -> new FileAlreadyExistsException(shown);
            case LibC.EACCES -> new java.nio.file.AccessDeniedException(shown, null, "permission denied");
            default -> new IOException(shown + ": " + e.getMessage() + " (" + name + ")");
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException ignored) {
                // nothing useful to do: the descriptor is released either way
            }
        }
    }
}
