package io.caravan.unpack;

import io.caravan.fs.FileTimes;
import io.caravan.fs.NameRules;
import io.caravan.pack.ReferenceEntries;
import io.caravan.progress.ProgressListener;
import io.caravan.util.Sha256;
import io.caravan.util.SpilledList;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Extracts a tar stream (or a zip, entry by entry as the tar entries they describe) into a root folder that only it writes to (a staging folder). Refuses
 * absolute names, {@code ..}, writing through a symlink, links that lead outside the root, device
 * files and FIFOs; drops setuid, setgid and sticky bits. Folder modes and mtimes are applied last so
 * read-only folders can still be filled. Any refusal aborts the whole extraction. A tar's headers are
 * read through a {@link TarHeaderGuard}, which refuses those declaring a body too large to hold. A tar
 * stream that ends before its end-of-archive marker (cut short, even inside its first header, or no tar
 * at all) is a {@link DamagedStreamException}, never an archive of fewer entries.
 */
public final class SafeExtractor {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int RECORD = 512;
    /** How many links, and how many folders, an extraction holds in memory: beyond, they are spilled to a file. */
    static final int HELD = 16_384;
    /** The most folders an extraction remembers as real (checked on disk again when forgotten). */
    static final int KNOWN_DIRS = 16_384;

    private final ExtractPolicy policy;
    private final ProgressListener listener;
    private final ExtractHooks hooks;
    private final FileContentWriter contentWriter;
    /** The most links, and the most folders, one extraction holds in memory until its end (the rest are spilled). */
    private final int held;
    private final Path spillDir;

    public SafeExtractor(ExtractPolicy policy, ProgressListener listener) {
        this(policy, listener, ExtractHooks.NONE);
    }

    public SafeExtractor(ExtractPolicy policy, ProgressListener listener, ExtractHooks hooks) {
        this(policy, listener, hooks, HELD, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * As above, holding at most {@code held} links and {@code held} folders in memory, the rest spilled to a file in
     * {@code spillDir} (by default the system's folder for temporary files).
     */
    SafeExtractor(ExtractPolicy policy, ProgressListener listener, ExtractHooks hooks, int held, Path spillDir) {
        this.held = held;
        this.spillDir = spillDir;
        this.policy = policy;
        this.listener = listener;
        this.hooks = hooks;
        this.contentWriter = new FileContentWriter(policy.directIo(), policy.writeBehind());
    }

    /**
     * Counts of what one extraction wrote (content bytes: every file's whole size, a sparse one's holes
     * and a reference entry's stored content included, linked or copied), and its longest and its deepest entry path (relative to the
     * root, "" for none): what a publish below a name must check that name and path together against
     * ({@link NameRules#lengthProblem}).
     */
    public record Result(long entries, long bytes, String longestPath, String deepestPath) {
    }

    public Result extract(InputStream tarStream, Path root) throws IOException {
        return extract(tarStream, root, Resume.NONE);
    }

    /**
     * What an extraction that may be resumed needs: the checkpoint it resumes from (null: it starts at
     * the tar stream's first byte), its {@link ExtractionJournal} (null: none is kept), and who is told
     * where each entry's headers start ({@link EntryStarts}).
     */
    public record Resume(ExtractionCheckpoint from, Path journal, EntryStarts starts) {
        public static final Resume NONE = new Resume(null, null, EntryStarts.NONE);
    }

    /** Told where each entry's headers start in the tar stream. */
    @FunctionalInterface
    public interface EntryStarts {
        EntryStarts NONE = (offset, state) -> { };

        /**
         * The extraction read the headers of an entry that start at {@code offset} of the tar stream (from
         * its first byte, not from where a resumed one started) and has not extracted it yet, every entry
         * before it extracted and its files handed to the kernel; {@code state} takes the extraction's
         * state there (flushing the journal).
         */
        void at(long offset, RunState state) throws IOException;
    }

    /** Takes an extraction's state at an entry boundary. */
    @FunctionalInterface
    public interface RunState {
        Snapshot take() throws IOException;
    }

    /** An extraction's state at an entry boundary: what an {@link ExtractionCheckpoint} records of it. */
    public record Snapshot(long entries, long bytes, String longestPath, String deepestPath, long journalLength) {
    }

    /**
     * Extracts {@code tarStream}, which starts at the checkpoint {@code resume} names (or at the tar
     * stream's first byte), into {@code root}, which then holds what the extraction had written up to
     * the failure or crash after that checkpoint: the entries after it are extracted again, each
     * replacing what is at its name as it would have (later entries replace files and links, never
     * folders), so the tree and the result are those of an extraction that ran through.
     */
    public Result extract(InputStream tarStream, Path root, Resume resume) throws IOException {
        ExtractionCheckpoint from = resume.from();
        try (Run run = new Run(root.toAbsolutePath().normalize(), resume)) {
            long base = from == null ? 0 : from.decoded();
            BoundedInputStream counted = BoundedInputStream.builder().setInputStream(tarStream).get(); // counts, bounds nothing
            TarHeaderGuard guard = new TarHeaderGuard(counted);
            TarArchiveInputStream tar = new TarArchiveInputStream(guard, "UTF-8");
            TarArchiveEntry entry;
            String current = null;
            try {
                while ((entry = nextEntry(tar, guard, counted, base, resume.starts(), run)) != null) {
                    current = entry.getName();
                    run.entry(entry, tar);
                }
                if (!guard.endedWithMarker()) {
                    throw new java.io.EOFException("the tar stream ends before its end-of-archive marker (two zero blocks)");
                }
            } catch (IOException e) {
                if (io.caravan.StorageException.of(e).isPresent()) {
                    throw e; // the disk's trouble, not the data's
                }
                throw new DamagedStreamException(current, e);
            }
            run.finish();
            return new Result(run.entries, run.bytes, run.longestPath, run.deepestPath);
        }
    }

    /**
     * The next entry, its headers read under the {@link TarHeaderGuard}: what is left of the previous
     * entry's content is skipped first, so that only headers pass while the guard judges them. The
     * reader reads whole 512-byte records and the content exactly, so the headers start at the next
     * record after what it read: {@code starts} is told so once they are read.
     */
    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, TarHeaderGuard guard, BoundedInputStream counted,
                                             long base, EntryStarts starts, Run run) throws IOException {
        TarArchiveEntry current = tar.getCurrentEntry();
        if (current != null) {
            while (tar.skip(Long.MAX_VALUE) > 0) {
                // the reader skips at most what is left of the entry
            }
        }
        long at = base + (counted.getCount() + RECORD - 1) / RECORD * RECORD;
        guard.headersStart(current);
        TarArchiveEntry entry;
        try {
            entry = tar.getNextEntry();
        } catch (IOException e) {
            if (LargeSparseEntryException.isCause(e)) {
                throw new LargeSparseEntryException(current == null ? null : current.getName());
            }
            throw e;
        }
        guard.headersEnd();
        if (entry != null) {
            starts.at(at, run::snapshot); // once its headers are read: a decoder then knows the frame they start
        }
        return entry;
    }

    /**
     * Extracts a zip read through its central directory, with the same rules as a tar: each zip entry
     * becomes the tar entry it describes (folder, file, or a Unix symbolic link whose target is its
     * content) and goes through the same checks. Absolute names stay absolute, so they are refused. Each
     * entry's content must end at its declared size and match its CRC-32 ({@link ZipEntryContent}), or
     * the extraction fails naming it. A name or link target that is not UTF-8 is refused
     * ({@link ZipNameBytes}).
     */
    public Result extractZip(ZipFile zip, Path root) throws IOException {
        try (Run run = new Run(root.toAbsolutePath().normalize())) { // closed: its spill files go with it
            for (ZipArchiveEntry entry : java.util.Collections.list(zip.getEntriesInPhysicalOrder())) {
                String name = entry.getName();
                ZipNameBytes.refuseNotUtf8(entry);
                if (!zip.canReadEntryData(entry)) {
                    throw new UnsafeEntryException(name, "its compression (zip method " + entry.getMethod()
                            + ") or encryption is not supported: re-create the zip with deflate, without a password");
                }
                try (ZipEntryContent content = new ZipEntryContent(entry, zip.getInputStream(entry))) {
                    run.entry(asTar(entry, content), content);
                    content.verify();
                }
            }
            run.finish();
            return new Result(run.entries, run.bytes, run.longestPath, run.deepestPath);
        }
    }

    private static final int MAX_LINK_TARGET = 4096;
    /** The file types of a Unix mode (its {@code S_IFMT} bits) that are neither a file, a folder nor a link: FIFO, devices, socket. */
    private static final java.util.Set<Integer> SPECIAL_TYPES = java.util.Set.of(0010000, 0020000, 0060000, 0140000);

    private static TarArchiveEntry asTar(ZipArchiveEntry zip, InputStream content) throws IOException {
        String name = zip.getName();
        int mode = zip.getUnixMode();
        TarArchiveEntry tar;
        if (zip.isUnixSymlink()) {
            byte[] target = content.readNBytes(MAX_LINK_TARGET + 1);
            if (target.length > MAX_LINK_TARGET || target.length == 0) {
                throw new UnsafeEntryException(name, "it is a symbolic link whose target is empty or longer than "
                        + MAX_LINK_TARGET + " bytes");
            }
            ZipNameBytes.refuseLinkNotUtf8(zip, target);
            tar = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            tar.setLinkName(new String(target, java.nio.charset.StandardCharsets.UTF_8));
        } else if (zip.isDirectory()) {
            tar = new TarArchiveEntry(name, TarConstants.LF_DIR, true);
            mode = (mode & 0777) == 0 ? 0755 : mode;
        } else if (SPECIAL_TYPES.contains(mode & UnixStat.FILE_TYPE_FLAG)) {
            // a FIFO, device or socket by its Unix mode: refused as a tar's, never made an empty regular file
            throw new UnsafeEntryException(name, "device files, FIFOs and sockets are never created");
        } else {
            if (zip.getSize() < 0) {
                throw new UnsafeEntryException(name, "its size is not recorded in the zip's central directory");
            }
            tar = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            tar.setSize(zip.getSize());
            mode = (mode & 0777) == 0 ? 0644 : mode;
        }
        tar.setMode(mode & 07777);
        tar.setModTime(zip.getLastModifiedTime());
        return tar;
    }

    /** A folder's mode and mtime, applied when the extraction ends; {@code relative} to the root. */
    private record DirMeta(String relative, int mode, FileTime mtime) {
    }

    private static final SpilledList.Codec<DirMeta> DIR_META = new SpilledList.Codec<>() {
        @Override
        public void write(DataOutput out, DirMeta dir) throws IOException {
            out.writeUTF(dir.relative());
            out.writeInt(dir.mode());
            Instant at = dir.mtime().toInstant();
            out.writeLong(at.getEpochSecond());
            out.writeInt(at.getNano());
        }

        @Override
        public DirMeta read(DataInput in) throws IOException {
            return new DirMeta(in.readUTF(), in.readInt(), FileTime.from(Instant.ofEpochSecond(in.readLong(), in.readInt())));
        }
    };

    /**
     * State of one extraction: folders known to be real, links to re-check, metadata to apply; what
     * it gains goes to its journal as well, and a resumed one starts from its checkpoint's. Its memory is
     * bounded whatever the archive holds: the folders known to be real are a cache of at most
     * {@link #KNOWN_DIRS} (one not in it is looked at on disk again), and the links and folders it must come
     * back to at the end are {@link SpilledList}s holding at most {@link #held} of each in memory.
     */
    private final class Run implements AutoCloseable, ExtractionJournal.Replay {
        private final Path root;
        /** Whether this run extracts into a folder only it wrote (no resumed run): an entry found there came earlier in the archive. */
        private final boolean fresh;
        private final ExtractionJournal journal;
        private final Set<Path> realDirs = new HashSet<>();
        private final SpilledList<DirMeta> dirs = new SpilledList<>(spillDir, held, DIR_META);
        private final SpilledList<String> symlinks = new SpilledList<>(spillDir, held, SpilledList.STRINGS);
        private long entries;
        private long bytes;
        private String longestPath = "";
        private int longestBytes;
        private String deepestPath = "";
        private int deepestParts;

        Run(Path root) {
            this.root = root;
            this.journal = ExtractionJournal.NONE;
            this.fresh = true;
            realDirs.add(root);
        }

        Run(Path root, Resume resume) throws IOException {
            this.root = root;
            realDirs.add(root);
            ExtractionCheckpoint from = resume.from();
            this.fresh = from == null && resume.journal() == null;
            if (from != null) {
                entries = from.entries();
                bytes = from.bytes();
                longestPath = from.longestPath();
                longestBytes = NameRules.utf8Length(longestPath);
                deepestPath = from.deepestPath();
                deepestParts = deepestPath.isEmpty() ? 0 : Path.of(deepestPath).getNameCount();
            }
            try {
                this.journal = resume.journal() == null ? ExtractionJournal.NONE
                        : ExtractionJournal.open(resume.journal(), from == null ? 0 : from.journalLength(), this);
            } catch (IOException | RuntimeException e) {
                try (dirs; symlinks) {
                    throw e;
                }
            }
        }

        /** A folder the journal says is real is taken as such only if it still is one (never a link put there since). */
        @Override
        public void realDir(String relative) {
            Path dir = root.resolve(relative);
            try {
                BasicFileAttributes attrs = attributes(dir);
                if (attrs != null && attrs.isDirectory() && !attrs.isSymbolicLink() && dir.startsWith(root)) {
                    known(dir);
                }
            } catch (IOException e) {
                // not known to be real: ensureParent looks at it again when an entry needs it
            }
        }

        @Override
        public void dirMeta(String relative, int mode, FileTime mtime) throws IOException {
            dirs.add(new DirMeta(relative, mode, mtime));
        }

        @Override
        public void symlink(String relative) throws IOException {
            symlinks.add(relative);
        }

        /** Notes {@code dir} as a real folder inside the root; the notes are a cache of at most {@link #KNOWN_DIRS}. */
        private boolean known(Path dir) {
            if (realDirs.size() >= KNOWN_DIRS && !realDirs.contains(dir)) {
                realDirs.clear();
                realDirs.add(root);
            }
            return realDirs.add(dir);
        }

        @Override
        public void reported(String name, String sha256, long size) {
            hooks.extracted(name, sha256, size);
        }

        Snapshot snapshot() throws IOException {
            journal.flush();
            return new Snapshot(entries, bytes, longestPath, deepestPath, journal.length());
        }

        @Override
        public void close() throws IOException {
            try (journal; dirs; symlinks) {
                // each closed, the spill files deleted
            }
        }

        private String relative(Path path) {
            return root.relativize(path).toString();
        }

        void entry(TarArchiveEntry entry, InputStream content) throws IOException {
            String name = entry.getName();
            if (++entries > policy.maxEntries()) {
                throw new ExtractLimitException("the archive holds more than " + policy.maxEntries()
                        + " entries, the configured limit; raise it if this archive is expected");
            }
            Path target = EntryPaths.resolve(root, name);
            if (target.equals(root)) {
                return;
            }
            Path relative = root.relativize(target);
            measure(name, relative);
            String top = relative.getName(0).toString();
            if (NameRules.reserved(top)) {
                throw new UnsafeEntryException(name, "'" + top + "' is a reserved name (Caravan's own state and temporary"
                        + " files are '.caravan' and '.caravan-*'), so it is never published");
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw new UnsafeEntryException(name, "device files and FIFOs are never created");
            }
            ensureParent(name, target);
            listener.entry(name, entry.isSparse() ? entry.getRealSize() : entry.getSize());
            if (entry.isDirectory()) {
                directory(name, target, entry);
            } else if (entry.isSymbolicLink()) {
                symlink(name, target, entry.getLinkName(), entry.getLastModifiedTime());
            } else if (entry.isLink()) {
                hardLink(name, target, entry.getLinkName());
            } else if (entry.isFile()) {
                file(name, target, entry, content);
            } else {
                listener.warning("skipped entry '" + name + "' of tar type '" + (char) entry.getLinkFlag()
                        + "', which Caravan does not extract");
            }
        }

        /** Refuses a path that breaks the {@link NameRules}' length rules; notes the longest and the deepest. */
        private void measure(String name, Path relative) {
            String path = relative.toString();
            String problem = NameRules.lengthProblem(path);
            if (problem != null) {
                throw new UnsafeEntryException(name, problem);
            }
            int bytes = NameRules.utf8Length(path);
            if (bytes > longestBytes) {
                longestBytes = bytes;
                longestPath = path;
            }
            if (relative.getNameCount() > deepestParts) {
                deepestParts = relative.getNameCount();
                deepestPath = path;
            }
        }

        private void directory(String name, Path target, TarArchiveEntry entry) throws IOException {
            BasicFileAttributes existing = attributes(target);
            if (existing == null) {
                Files.createDirectory(target);
                hooks.folderCreated();
            } else if (!existing.isDirectory() || existing.isSymbolicLink()) {
                throw new UnsafeEntryException(name, "a folder entry would replace a file or link of the same name");
            }
            if (known(target)) {
                journal.realDir(relative(target));
            }
            int mode = permissions(name, entry.getMode());
            dirs.add(new DirMeta(relative(target), mode, entry.getLastModifiedTime()));
            journal.dirMeta(relative(target), mode, entry.getLastModifiedTime());
        }

        private void file(String name, Path target, TarArchiveEntry entry, InputStream content) throws IOException {
            String reference = entry.getExtraPaxHeader(ReferenceEntries.SHA256);
            if (reference != null) {
                referencedFile(name, target, entry, reference);
                return;
            }
            long size = entry.isSparse() ? entry.getRealSize() : entry.getSize(); // a sparse entry stores only its data
            if (bytes + size > policy.maxBytes()) {
                throw new ExtractLimitException("the archive holds more than " + policy.maxBytes()
                        + " bytes, the configured limit (at entry '" + name + "')");
            }
            makeRoom(name, target);
            boolean report = size >= hooks.reportFilesFrom();
            MessageDigest digest = report && hooks.hashReportedFiles() ? Sha256.newDigest() : null;
            contentWriter.write(target, name, size, content, digest, listener);
            if (report) {
                String sha256 = digest == null ? null : Sha256.hex(digest);
                hooks.extracted(name, sha256, size);
                journal.reported(name, sha256, size);
            }
            bytes += size;
            Files.setPosixFilePermissions(target, PosixModes.toPermissions(permissions(name, entry.getMode())));
            FileTimes.setModified(target, entry.getLastModifiedTime());
        }

        /**
         * Materialises a reference entry from stored content: a hard link when the stored file already
         * has the entry's permissions and mtime, else a copy; either only from bytes that still hash to
         * the reference (the hooks check that).
         */
        private void referencedFile(String name, Path target, TarArchiveEntry entry, String sha256) throws IOException {
            if (!SHA256.matcher(sha256).matches()) {
                throw new UnsafeEntryException(name, "its reference '" + sha256 + "' is not a SHA-256 in lower-case hex");
            }
            long size;
            try {
                size = Long.parseLong(entry.getExtraPaxHeaders().getOrDefault(ReferenceEntries.SIZE, "-1"));
            } catch (NumberFormatException e) {
                throw new UnsafeEntryException(name, "its reference size is not a number");
            }
            if (size > 0 && bytes + size > policy.maxBytes()) {
                throw new ExtractLimitException("the archive holds more than " + policy.maxBytes()
                        + " bytes, the configured limit (at entry '" + name + "')");
            }
            makeRoom(name, target);
            int mode = permissions(name, entry.getMode());
            FileTime mtime = entry.getLastModifiedTime();
            boolean linked;
            try {
                linked = hooks.materialise(sha256, size, target, stored ->
                        PosixModes.toPermissions(mode).equals(Files.getPosixFilePermissions(stored, LinkOption.NOFOLLOW_LINKS))
                                && sameTime(Files.getLastModifiedTime(stored, LinkOption.NOFOLLOW_LINKS), mtime));
            } catch (ReferenceUnavailableException e) {
                throw new ReferenceUnavailableException(name, sha256, e.reason());
            }
            if (!linked) {
                Files.setPosixFilePermissions(target, PosixModes.toPermissions(mode));
                FileTimes.setModified(target, mtime);
            }
            long content = size >= 0 ? size : Files.size(target);
            if (content >= hooks.reportFilesFrom()) { // its bytes hash to the reference (checked above): stored again, under its new name
                hooks.extracted(name, sha256, content);
                journal.reported(name, sha256, content);
            }
            bytes += content; // linked or copied, it is the parcel's content
        }

        /**
         * Whether a stored file's mtime is the one a reference entry asks for, as a hard link gives the stored file's own:
         * the same millisecond (a mirror's entries keep it), or the same second when the entry holds a whole second (a
         * plain send keeps no finer time: the published file then holds the stored one's finer time within it).
         */
        private static boolean sameTime(FileTime stored, FileTime asked) {
            long storedMillis = stored.toInstant().toEpochMilli();
            long askedMillis = asked.toInstant().toEpochMilli();
            return storedMillis == askedMillis || Math.floorMod(askedMillis, 1000) == 0
                    && Math.floorDiv(storedMillis, 1000) == Math.floorDiv(askedMillis, 1000);
        }

        private void symlink(String name, Path target, String linkTarget, FileTime mtime) throws IOException {
            if (linkTarget.indexOf('\0') >= 0) { // whatever the policy: no path holds one, so no link can be made
                throw new UnsafeEntryException(name, "it is a symbolic link whose target contains a NUL byte");
            }
            if (!policy.allowExternalSymlinks()) {
                if (linkTarget.startsWith("/")) {
                    throw new UnsafeEntryException(name, "it is a symbolic link to the absolute path '" + linkTarget
                            + "' (use --allow-external-symlinks to keep such links)");
                }
                if (!target.getParent().resolve(linkTarget).normalize().startsWith(parcelRoot(target))) {
                    throw new UnsafeEntryException(name, "it is a symbolic link to '" + linkTarget
                            + "', outside the destination (the top-level folder it is published in; use --allow-external-symlinks to keep such links)");
                }
            }
            makeRoom(name, target);
            Files.createSymbolicLink(target, Paths.get(linkTarget));
            FileTimes.setModified(target, mtime); // the link's own, as GNU tar keeps it
            symlinks.add(relative(target));
            journal.symlink(relative(target));
        }

        private void hardLink(String name, Path target, String linkName) throws IOException {
            Path existing = EntryPaths.resolveLinkTarget(root, name, linkName);
            BasicFileAttributes attrs = realFolder(existing.getParent()) ? attributes(existing) : null;
            if (attrs == null || !attrs.isRegularFile()) {
                throw new UnsafeEntryException(name, "it is a hard link to '" + linkName
                        + "', which is not a file extracted earlier from this archive");
            }
            makeRoom(name, target);
            Files.createLink(target, existing);
        }

        /**
         * The folder a link is judged against: its top-level entry, which is published as one unit
         * (renamed or merged elsewhere, so only paths inside it keep their meaning), or the root for
         * a top-level link.
         */
        private Path parcelRoot(Path entry) {
            Path relative = root.relativize(entry);
            return relative.getNameCount() > 1 ? root.resolve(relative.getName(0)) : root;
        }

        /** Whether {@code dir} is a real folder inside the root: every folder from the root down to it is one, no link. */
        private boolean realFolder(Path dir) throws IOException {
            if (realDirs.contains(dir)) {
                return true;
            }
            if (!dir.startsWith(root)) {
                return false;
            }
            Path current = root;
            for (Path segment : root.relativize(dir)) {
                current = current.resolve(segment);
                BasicFileAttributes attrs = attributes(current);
                if (attrs == null || attrs.isSymbolicLink() || !attrs.isDirectory()) {
                    return false;
                }
            }
            known(dir);
            return true;
        }

        /** Makes sure every folder above {@code target} is a real folder inside the root, creating missing ones. */
        private void ensureParent(String name, Path target) throws IOException {
            Path parent = target.getParent();
            if (realDirs.contains(parent)) {
                return;
            }
            Path current = root;
            for (Path segment : root.relativize(parent)) {
                current = current.resolve(segment);
                if (realDirs.contains(current)) {
                    continue;
                }
                BasicFileAttributes attrs = attributes(current);
                if (attrs == null) {
                    Files.createDirectory(current);
                    hooks.folderCreated();
                } else if (attrs.isSymbolicLink()) {
                    throw new UnsafeEntryException(name, "it would be written through the symbolic link '"
                            + EntryPaths.display(root, current) + "'");
                } else if (!attrs.isDirectory()) {
                    throw new UnsafeEntryException(name, "'" + EntryPaths.display(root, current)
                            + "' is a file in this archive, not a folder");
                }
                if (known(current)) {
                    journal.realDir(relative(current));
                }
            }
        }

        /** Removes an earlier entry of the same name (later entries win, as in GNU tar); never a folder. */
        private void makeRoom(String name, Path target) throws IOException {
            BasicFileAttributes attrs = attributes(target);
            if (attrs == null) {
                return;
            }
            if (attrs.isDirectory()) {
                throw new UnsafeEntryException(name, "it would replace a folder of the same name");
            }
            if (fresh) { // a resumed run extracts again what it may have written before it stopped
                listener.warning("entry '" + NameRules.printable(name) + "' is in the archive more than once: the later"
                        + " one is kept, as tar -x keeps it");
            }
            Files.delete(target);
        }

        private int permissions(String name, int mode) {
            if ((mode & 06000) != 0) {
                listener.warning("entry '" + name + "': setuid/setgid bits removed");
            }
            return mode & 0777;
        }

        /** Re-checks links against the finished tree, then applies folder modes and mtimes deepest first. */
        void finish() throws IOException {
            if (!policy.allowExternalSymlinks()) {
                symlinks.forEach(relative -> recheck(root.resolve(relative)));
            }
            dirs.forEachReversed(dir -> {
                Path path = root.resolve(dir.relative());
                Files.setPosixFilePermissions(path, PosixModes.toPermissions(dir.mode()));
                FileTimes.setModified(path, dir.mtime());
            });
        }

        /** Refuses {@code link} when, through other links of the archive, it now points outside its parcel. */
        private void recheck(Path link) throws IOException {
            Path resolved = resolvedOrNull(link);
            if (resolved != null && !resolved.startsWith(parcelRoot(link).toRealPath())) {
                throw new UnsafeEntryException(EntryPaths.display(root, link),
                        "through other links in the archive it points outside the destination");
            }
        }
    }

    private static Path resolvedOrNull(Path link) {
        try {
            return link.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}

