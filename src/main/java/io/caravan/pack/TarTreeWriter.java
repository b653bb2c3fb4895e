package io.caravan.pack;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.LinkTargets;
import io.caravan.fs.NameRules;
import io.caravan.progress.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.caravan.util.FileIdentity;
import io.caravan.util.Sha256;
import java.security.MessageDigest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes files and folders as a POSIX (PAX) tar stream that is the same for the same tree: entries
 * sorted by name within each folder, mtimes in whole seconds (or milliseconds, for mirrors), no owner names or access times.
 * Symlinks are stored as links (never followed), a file with several hard links once, and special
 * files are skipped with a warning that names them.
 */
public final class TarTreeWriter {

    private static final String ATTRIBUTES = "unix:mode,nlink,ino,dev,size,lastModifiedTime,ctime";
    private static final int TYPE_MASK = 0170000;
    private static final int DIRECTORY = 0040000;
    private static final int REGULAR = 0100000;
    private static final int SYMLINK = 0120000;
    private static final int RECORD = 512;

    private final ProgressListener listener;
    private final PackHooks hooks;
    private final boolean safeLinks;
    private final SourceReads reads;
    /** The precision mtimes are kept in: floored to it (a time before 1970 included, as tar and the JDK's Instant floor). */
    private final java.time.temporal.ChronoUnit timePrecision;
    private final byte[] buffer = new byte[256 * 1024];
    private final Map<String, String> firstNameByInode = new HashMap<>();
    private RestartPoints restarts = RestartPoints.NONE;
    private long entries;
    private long contentBytes;

    public TarTreeWriter(ProgressListener listener) {
        this(listener, PackHooks.NONE);
    }

    public TarTreeWriter(ProgressListener listener, PackHooks hooks) {
        this(listener, hooks, false);
    }

    /** With {@code safeLinks}, links that point outside the source they belong to are skipped with a warning. */
    public TarTreeWriter(ProgressListener listener, PackHooks hooks, boolean safeLinks) {
        this(listener, hooks, safeLinks, new SourceReads());
    }

    /** As above, reading every file's content through {@code reads}: once, also for its SHA-256. */
    public TarTreeWriter(ProgressListener listener, PackHooks hooks, boolean safeLinks, SourceReads reads) {
        this(listener, hooks, safeLinks, reads, false);
    }

    /**
     * As above; with {@code exactTimes}, mtimes are kept to the millisecond (in a PAX record when the
     * millisecond is not 0, as GNU tar's posix format does) instead of whole seconds.
     */
    public TarTreeWriter(ProgressListener listener, PackHooks hooks, boolean safeLinks, SourceReads reads, boolean exactTimes) {
        this.listener = listener;
        this.hooks = hooks;
        this.safeLinks = safeLinks;
        this.reads = reads;
        this.timePrecision = exactTimes ? java.time.temporal.ChronoUnit.MILLIS : java.time.temporal.ChronoUnit.SECONDS;
    }

    /** Writes every source as a top-level entry named after it, then the tar trailer; {@code out} stays open. */
    public void write(List<PackSource> sources, OutputStream out) throws IOException {
        write(sources, out, RestartPoints.NONE);
    }

    /**
     * As {@link #write(List, OutputStream)}, telling {@code restarts} the offset after each entry. With
     * restarts, the tar's blocks are single records (512 bytes), so that what the tar writer has written
     * out is exactly the stream's offset after each entry; the archive then ends after its two zero
     * records, unpadded (every tar reader accepts it).
     */
    public void write(List<PackSource> sources, OutputStream out, RestartPoints restarts) throws IOException {
        this.restarts = restarts;
        TarArchiveOutputStream tar = open(out, restarts);
        for (PackSource source : sources) {
            if (source.confined() && source.recursive()) {
                try (ConfinedDir parent = ConfinedDir.open(source.path().getParent())) {
                    writeConfined(tar, parent, source.path().getFileName().toString(), source.name(), true);
                }
            } else if (source.confined()) {
                writeEntryOfTree(tar, source);
            } else {
                writeTree(tar, source.path(), source.name(), source.recursive());
            }
        }
        tar.finish();
        tar.flush();
    }

    /**
     * Writes {@code leaf} of {@code parent} as the top-level entry {@code name}, then the tar trailer; {@code out}
     * stays open. Every folder is read through its own open descriptor, opened without following a link, and
     * each entry by its name in it: a folder swapped for a link while the tree is written (by a republish, or
     * by anyone who may write there) is never read through, as a walk by paths would (only a path's last
     * segment is read without following a link). A folder's entries go in the order the file system lists them,
     * read as they are written, so a folder of any size holds no memory (the other writes sort them, for parts
     * that are the same for the same input). For trees Caravan serves, such as a published folder.
     */
    public void write(ConfinedDir parent, String leaf, String name, OutputStream out) throws IOException {
        this.restarts = RestartPoints.NONE;
        TarArchiveOutputStream tar = open(out, restarts);
        writeConfined(tar, parent, leaf, name, false);
        tar.finish();
        tar.flush();
    }

    private static TarArchiveOutputStream open(OutputStream out, RestartPoints restarts) {
        TarArchiveOutputStream tar = restarts == RestartPoints.NONE ? new TarArchiveOutputStream(out, "UTF-8")
                : new TarArchiveOutputStream(out, RECORD, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    /**
     * {@code leaf} of {@code dir} as {@code name}: itself by its name in {@code dir}, a folder's entries through the
     * folder opened; {@code sorted} by name (the same parts for the same tree; each folder's listing is held to sort
     * it), else as the file system lists them.
     */
    private void writeConfined(TarArchiveOutputStream tar, ConfinedDir dir, String leaf, String name, boolean sorted)
            throws IOException {
        Map<String, Object> attrs = writeTree(tar, dir.entry(leaf), name, false);
        if (((Integer) attrs.get("mode") & TYPE_MASK) != DIRECTORY) {
            return;
        }
        // a link swapped in since is refused, never followed; the entries as listed, none held (a folder of any size)
        try (ConfinedDir child = dir.openDir(leaf); DirectoryStream<Path> listed = sorted ? null : child.stream()) {
            for (Path each : sorted ? child.entries() : listed) {
                if (!NameRules.unreadable(each) || !hooks.leavesOutUnreadable(name + "/" + NameRules.shownBytes(each))) {
                    String text = each.getFileName().toString();
                    writeConfined(tar, child, text, name + "/" + text, sorted);
                }
            }
        }
    }

    /**
     * One entry of a tree ({@link PackSource#entry}), its name the path below the tree's root: the folders on that
     * path are opened one by one without following a link, and the entry is read by its name in the last of them
     * (a folder swapped for a link while the tree is packed is refused, never read through), while the hooks and
     * messages see its path in the tree.
     */
    private void writeEntryOfTree(TarArchiveOutputStream tar, PackSource source) throws IOException {
        List<String> segments = ConfinedDir.segments(source.name());
        Path root = source.path();
        for (int i = 0; i < segments.size(); i++) {
            root = root.getParent();
        }
        String leaf = segments.get(segments.size() - 1);
        try (ConfinedDir top = ConfinedDir.open(root);
             ConfinedDir parent = top.openDir(String.join("/", segments.subList(0, segments.size() - 1)))) {
            Path entry = parent.entry(leaf);
            Map<String, Object> attrs = writeTree(tar, entry, source.path(), source.name(), false);
            // a copy read while the file changed may mix old and new bytes under the size and whole-second mtime the
            // file ends with, which an incremental pass then takes for up to date: fail it, to be sent again
            if (((Integer) attrs.get("mode") & TYPE_MASK) == REGULAR
                    && !Optional.of(FileIdentity.of(attrs)).equals(FileIdentity.ofRegularFile(entry))) {
                throw new IOException("'" + source.path() + "' changed while it was read (its copy could mix old and new"
                        + " bytes); it is sent again once it stays the same");
            }
        }
    }

    public long entries() {
        return entries;
    }

    public long contentBytes() {
        return contentBytes;
    }

    /** {@code path} as {@code name}; the attributes it was written with. */
    private Map<String, Object> writeTree(TarArchiveOutputStream tar, Path path, String name, boolean recursive) throws IOException {
        return writeTree(tar, path, path, name, recursive);
    }

    /**
     * {@code path} read as {@code name}; {@code key} the path the hooks know it by and messages name (the same unless
     * confined). Answers the attributes it was written with, read before its content.
     */
    private Map<String, Object> writeTree(TarArchiveOutputStream tar, Path path, Path key, String name, boolean recursive)
            throws IOException {
        long seen = System.currentTimeMillis();
        Map<String, Object> attrs = readAttributes(path);
        int mode = (Integer) attrs.get("mode");
        FileTime mtime = (FileTime) attrs.get("lastModifiedTime");
        switch (mode & TYPE_MASK) {
            case DIRECTORY -> {
                put(tar, entry(name + "/", TarConstants.LF_DIR, mode, mtime), path, 0);
                if (!recursive) {
                    return attrs;
                }
                for (Path child : sortedChildren(path)) {
                    if (!NameRules.unreadable(child)
                            || !hooks.leavesOutUnreadable(name + "/" + NameRules.shownBytes(child))) {
                        // by its name as text, as the archive names it (a name that is not UTF-8 then fails the packing)
                        String text = child.getFileName().toString();
                        writeTree(tar, path.resolve(text), name + "/" + text, true);
                    }
                }
            }
            case REGULAR -> writeFile(tar, path, key, name, attrs, seen, mode, mtime);
            case SYMLINK -> {
                String target = Files.readSymbolicLink(path).toString();
                if (safeLinks && LinkTargets.leavesItsTree(name, target)) {
                    listener.warning("skipped symbolic link " + key + " -> " + target + ": it points outside the tree (--safe-links)");
                    return attrs;
                }
                TarArchiveEntry link = entry(name, TarConstants.LF_SYMLINK, mode, mtime);
                link.setLinkName(target);
                put(tar, link, path, 0);
            }
            default -> listener.warning("skipped special file " + key + " (" + SpecialFiles.describe(mode)
                    + "): only files, folders and links are transferred");
        }
        return attrs;
    }

    private void writeFile(TarArchiveOutputStream tar, Path path, Path key, String name, Map<String, Object> attrs, long seen,
                           int mode, FileTime mtime) throws IOException {
        if ((Integer) attrs.get("nlink") > 1) {
            String inode = attrs.get("dev") + ":" + attrs.get("ino");
            String first = firstNameByInode.putIfAbsent(inode, name);
            if (first != null) {
                TarArchiveEntry link = entry(name, TarConstants.LF_LINK, mode, mtime);
                link.setLinkName(first);
                put(tar, link, path, 0);
                return;
            }
        }
        long size = (Long) attrs.get("size");
        TarArchiveEntry file = entry(name, TarConstants.LF_NORMAL, mode, mtime);
        FileIdentity identity = FileIdentity.of(attrs);
        Optional<String> reference = hooks.reference(key, identity);
        if (reference.isPresent()) {
            file.addPaxHeader(ReferenceEntries.SHA256, reference.get());
            file.addPaxHeader(ReferenceEntries.SIZE, String.valueOf(size));
            put(tar, file, path, 0);
            reads.referenced(key, size);
            return;
        }
        file.setSize(size);
        MessageDigest digest = size >= hooks.hashFilesFrom() ? Sha256.newDigest() : null;
        put(tar, file, path, identity, size, digest);
        if (digest != null) {
            hooks.hashed(key, identity, seen, Sha256.hex(digest));
        }
    }

    private void put(TarArchiveOutputStream tar, TarArchiveEntry entry, Path path, long size) throws IOException {
        put(tar, entry, path, null, size, null);
    }

    /** Writes the entry; with {@code size} above 0, the content of the regular file {@code path} in the state {@code identity}. */
    private void put(TarArchiveOutputStream tar, TarArchiveEntry entry, Path path, FileIdentity identity, long size,
                     MessageDigest digest) throws IOException {
        listener.entry(entry.getName(), size);
        entries++;
        tar.putArchiveEntry(entry);
        if (size > 0) {
            copyExactly(path, identity, size, tar, digest);
        }
        tar.closeArchiveEntry();
        restarts.entryEnds(tar.getBytesWritten());
    }

    /** Copies exactly {@code size} bytes: a file that grew is cut, one that shrank is padded with zeros. */
    private void copyExactly(Path path, FileIdentity identity, long size, OutputStream out, MessageDigest digest)
            throws IOException {
        contentBytes += ExactCopy.copy(reads, listener, path, identity, size, out, digest, buffer);
    }

    private TarArchiveEntry entry(String name, byte type, int mode, FileTime mtime) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setMode(mode);
        entry.setModTime(FileTime.from(mtime.toInstant().truncatedTo(timePrecision)));
        entry.setUserName("");
        entry.setGroupName("");
        entry.setIds(0, 0);
        return entry;
    }

    private static Map<String, Object> readAttributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** The entries of {@code dir} by name (each keeps the bytes of its name: {@link io.caravan.fs.NameRules#shownBytes}). */
    private static List<Path> sortedChildren(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> listed = Files.newDirectoryStream(dir)) {
            listed.forEach(children::add);
        } catch (IOException e) {
            throw new IOException("cannot list folder " + dir + ": " + e.getMessage(), e);
        }
        children.sort(java.util.Comparator.comparing(child -> child.getFileName().toString()));
        return children;
    }
}
