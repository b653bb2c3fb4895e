package io.caravan.pack;

import io.caravan.fs.ConfinedDir;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;

/**
 * How many entries a zip may hold in this heap. A zip's central directory comes after all its
 * entries, and Commons Compress keeps a record of every entry in memory until then, whether it
 * writes the zip ({@link ZipTreeWriter}) or reads one: about {@link #BYTES_PER_ENTRY} each. A bound
 * is a share of the maximum heap, and a tree is counted against it before a byte of its zip is
 * written, so a zip too large for the heap is refused with a message instead of running out of memory.
 */
public final class ZipEntryBound {

    /** What one entry's record costs while a zip is written or read (measured: 550 to 700 bytes, and its name). */
    public static final long BYTES_PER_ENTRY = 1024;

    private final long maxEntries;

    public ZipEntryBound(long maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a zip bound of " + maxEntries + " entries");
        }
        this.maxEntries = maxEntries;
    }

    /** The bound of one zip out of {@code 1/share} of this JVM's maximum heap. */
    public static ZipEntryBound ofHeapShare(int share) {
        return new ZipEntryBound(Math.max(1, Runtime.getRuntime().maxMemory() / share / BYTES_PER_ENTRY));
    }

    public long maxEntries() {
        return maxEntries;
    }

    /** This JVM's maximum heap in MiB, as messages name it. */
    public static long heapMib() {
        return Runtime.getRuntime().maxMemory() >> 20;
    }

    /**
     * A heap, as {@code -Xmx} takes it, in which a zip of {@code entries} entries fits when a zip may take
     * {@code 1/share} of it: at least twice today's, rounded up to a multiple of 256 MiB.
     */
    public static String heapFor(long entries, int share) {
        long mib = Math.max(entries * BYTES_PER_ENTRY * share >> 20, heapMib() * 2);
        long rounded = (mib + 255) / 256 * 256;
        return rounded % 1024 == 0 ? "-Xmx" + rounded / 1024 + "g" : "-Xmx" + rounded + "m";
    }

    /**
     * The entries a zip of {@code leaf} (a file, or a folder and everything below it, read without
     * following links) would hold, as {@link ZipTreeWriter} writes it; counting stops at one more
     * than the bound, so a tree of any size costs at most that many looks.
     */
    public long count(ConfinedDir parent, String leaf) throws IOException {
        return count(parent, leaf, 0);
    }

    /** {@link #count} of {@code leaf} added to {@code before}, stopping past the bound. */
    public long count(ConfinedDir parent, String leaf, long before) throws IOException {
        Optional<PosixFileAttributes> attrs = parent.stat(leaf);
        if (attrs.isEmpty() || attrs.get().isOther()) {
            return before; // gone meanwhile, or a special file, which a zip leaves out
        }
        long counted = before + 1;
        if (attrs.get().isDirectory() && counted <= maxEntries) {
            try (ConfinedDir folder = parent.openDir(leaf); DirectoryStream<Path> entries = folder.stream()) {
                for (Path entry : entries) { // as listed, none held: a folder of any size costs at most the bound's looks
                    counted = count(folder, entry.getFileName().toString(), counted);
                    if (counted > maxEntries) {
                        break;
                    }
                }
            }
        }
        return counted;
    }

    /** Whether {@code entries} (a {@link #count}) is more than the bound. */
    public boolean exceededBy(long entries) {
        return entries > maxEntries;
    }
}
