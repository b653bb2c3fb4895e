package io.caravan.pack;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.PosixModes;
import io.caravan.util.NonClosingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Writes a file or folder as one zip archive to a stream that need not be seekable (entries carry
 * data descriptors), holding no more than one copy buffer: UTF-8 names, Zip64 records when an entry
 * or the archive passes 4 GiB, Unix modes and mtimes. Everything is read through a {@link ConfinedDir},
 * so no link is ever followed: symbolic links are stored as links (Unix mode {@code 0120000}, the
 * target as content, which {@code unzip} restores as a link), a file with several hard links is stored
 * once per name, and special files are skipped with a warning. Commons Compress keeps every entry's
 * record until the central directory, so a writer takes at most the entries of its {@link ZipEntryBound}
 * (callers count the tree against it first, before anything is written) and fails past them.
 */
public final class ZipTreeWriter {

    private final ProgressListener listener;
    private final PackHooks hooks;
    private final int level;
    private final ZipEntryBound bound;
    private final byte[] buffer = new byte[256 * 1024];
    private long entries;

    /** {@code level} is the Deflater level, 0 to 9 (1, fastest, suits streaming); at most {@code bound}'s entries. */
    public ZipTreeWriter(ProgressListener listener, int level, ZipEntryBound bound) {
        this(listener, level, bound, new PackHooks() { });
    }

    /**
     * {@code level} is the Deflater level, 0 to 9; at most {@code bound}'s entries; {@code hooks} decide whether
     * an entry whose name is not UTF-8 is left out ({@link PackHooks#leavesOutUnreadable}) or fails the archive.
     */
    public ZipTreeWriter(ProgressListener listener, int level, ZipEntryBound bound, PackHooks hooks) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("zip level must be 0 to 9, not " + level);
        }
        this.listener = listener;
        this.hooks = hooks;
        this.level = level;
        this.bound = bound;
    }

    public long entries() {
        return entries;
    }

    /** Writes {@code leaf} of {@code parent} as the top-level entry {@code name}, then the central directory; {@code out} stays open. */
    public void write(ConfinedDir parent, String leaf, String name, OutputStream out) throws IOException {
        ZipArchiveOutputStream zip = open(out);
        writeEntry(zip, parent, leaf, name);
        zip.finish();
        zip.flush();
    }

    /** Writes every source as a top-level entry named after it (its folder opened as the anchor), then the central directory. */
    public void write(List<PackSource> sources, OutputStream out) throws IOException {
        ZipArchiveOutputStream zip = open(out);
        for (PackSource source : sources) {
            Path path = source.path().toAbsolutePath().normalize();
            try (ConfinedDir parent = ConfinedDir.open(path.getParent())) {
                writeEntry(zip, parent, path.getFileName().toString(), source.name());
            }
        }
        zip.finish();
        zip.flush();
    }

    private ZipArchiveOutputStream open(OutputStream out) {
        ZipArchiveOutputStream zip = new ZipArchiveOutputStream(new NonClosingOutputStream(out));
        zip.setEncoding(StandardCharsets.UTF_8.name());
        zip.setUseLanguageEncodingFlag(true);
        zip.setUseZip64(Zip64Mode.AsNeeded);
        zip.setMethod(ZipArchiveEntry.DEFLATED);
        zip.setLevel(level == 0 ? Deflater.NO_COMPRESSION : level);
        return zip;
    }

    private void writeEntry(ZipArchiveOutputStream zip, ConfinedDir dir, String leaf, String name) throws IOException {
        PosixFileAttributes attrs = dir.stat(leaf).orElseThrow(() -> new NoSuchFileException(ConfinedDir.join(dir.display(), leaf)));
        int mode = PosixModes.fromPermissions(attrs.permissions());
        if (attrs.isDirectory()) {
            ZipArchiveEntry entry = entry(name + "/", UnixStat.DIR_FLAG | mode, attrs);
            put(zip, entry, null, 0);
            try (ConfinedDir child = dir.openDir(leaf)) {
                for (Path each : child.entries()) {
                    if (!NameRules.unreadable(each) || !hooks.leavesOutUnreadable(name + "/" + NameRules.shownBytes(each))) {
                        writeEntry(zip, child, each.getFileName().toString(), name + "/" + each.getFileName());
                    }
                }
            }
        } else if (attrs.isRegularFile()) {
            ZipArchiveEntry entry = entry(name, UnixStat.FILE_FLAG | mode, attrs);
            entry.setSize(attrs.size());
            try (InputStream in = dir.read(leaf)) {
                put(zip, entry, in, attrs.size());
            }
        } else if (attrs.isSymbolicLink()) {
            byte[] target = Files.readSymbolicLink(dir.entry(leaf)).toString().getBytes(StandardCharsets.UTF_8);
            ZipArchiveEntry entry = entry(name, UnixStat.LINK_FLAG | 0777, attrs);
            entry.setSize(target.length);
            put(zip, entry, new java.io.ByteArrayInputStream(target), target.length);
        } else {
            listener.warning("skipped special file " + ConfinedDir.join(dir.display(), leaf)
                    + ": only files, folders and links go into a zip");
        }
    }

    private static ZipArchiveEntry entry(String name, int unixMode, PosixFileAttributes attrs) {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(unixMode);
        entry.setLastModifiedTime(attrs.lastModifiedTime());
        return entry;
    }

    /** Writes the entry and exactly {@code size} bytes of {@code in}: a file that grew is cut, one that shrank is padded. */
    private void put(ZipArchiveOutputStream zip, ZipArchiveEntry entry, InputStream in, long size) throws IOException {
        if (bound.exceededBy(entries + 1)) {
            throw new java.io.IOException("more than " + bound.maxEntries() + " entries to write: the tree grew while it was"
                    + " zipped, past the most a zip is written with in a heap of " + ZipEntryBound.heapMib() + " MiB");
        }
        listener.entry(entry.getName(), size);
        entries++;
        zip.putArchiveEntry(entry);
        long remaining = size;
        boolean shrank = false;
        while (remaining > 0) {
            int n = shrank ? -1 : in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                if (!shrank) {
                    listener.warning(entry.getName() + " shrank while it was read; padded it with zeros to " + size + " bytes");
                    java.util.Arrays.fill(buffer, (byte) 0);
                    shrank = true;
                }
                n = (int) Math.min(buffer.length, remaining);
            }
            zip.write(buffer, 0, n);
            remaining -= n;
            listener.bytes(n);
        }
        zip.closeArchiveEntry();
    }

}
