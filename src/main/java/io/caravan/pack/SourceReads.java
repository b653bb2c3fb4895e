package io.caravan.pack;

import io.caravan.util.DataSize;
import io.caravan.util.FileIdentity;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packer's one way to read a source file's content, and the count of what a send read with it:
 * how often each file (device and inode) was opened, the bytes read, and the files sent as
 * references without being read. One instance spans a whole send (every packing of its parcel), so
 * a file opened twice is a second pass over it; the sender logs the count and tests check it.
 * About 16 bytes a file (a table of device-and-inode keys), so a tree of millions of files fits
 * the sender's heap. Thread-safe.
 */
public final class SourceReads {

    /** Files opened more than once named in {@link #readMoreThanOnce()} at most. */
    private static final int NAMED = 100;

    /** Whether files are opened never waiting on a pipe ({@link #confined()}). */
    private final boolean confined;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong referencedFiles = new AtomicLong();
    private final AtomicLong referencedBytes = new AtomicLong();
    /** Open addressing on a mix of device and inode; 0 is an empty slot. Guarded by {@code this}. */
    private long[] opened = new long[1024];
    private int files;
    /** Opens of the files opened more than once (few: a design that reads once has none). */
    private final Map<Long, Integer> repeated = new HashMap<>();
    private final List<Path> repeatedNames = new ArrayList<>();

    /**
     * Reads for a send of the sender's own files: opened as Java opens them (a final link is not followed). A pipe
     * another local user swaps in for a file of the source between its listing and its open holds that send until
     * something writes to the pipe: the sender's own machine and folder.
     */
    public SourceReads() {
        this(false);
    }

    private SourceReads(boolean confined) {
        this.confined = confined;
    }

    /**
     * Reads for what a receiver packs from its inbox (a download's chunks, a tar.zst): each file opened never
     * waiting on a pipe and never through a final link, whatever a local user swaps in meanwhile, at about 25 us
     * more a file (a second open through /proc).
     */
    public static SourceReads confined() {
        return new SourceReads(true);
    }

    /**
     * Opens {@code file}, in the state {@code identity}, for reading without following a final link;
     * every byte read through the stream is counted.
     */
    public InputStream open(Path file, FileIdentity identity) throws IOException {
        InputStream in;
        if (confined) {
            // never follows a final link, never waits on a pipe swapped in for the file since it was listed
            try {
                in = java.nio.channels.Channels.newInputStream(io.caravan.fs.ConfinedDir.readPath(file));
            } catch (io.caravan.fs.UnsafePathException e) {
                throw new IOException(file + " is no regular file now (" + e.why() + "): it is not read", e);
            }
        } else {
            in = java.nio.file.Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        noteOpen(file, key(identity));
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytes.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    bytes.addAndGet(n);
                }
                return n;
            }
        };
    }

    /** Notes that {@code file} ({@code size} bytes) went as a reference entry: its content was not read. */
    public void referenced(Path file, long size) {
        referencedFiles.incrementAndGet();
        referencedBytes.addAndGet(size);
    }

    /** How many times the file now at {@code file} (its device and inode, so any of its names) was opened for its content. */
    public int opens(Path file) throws IOException {
        Optional<FileIdentity> identity = FileIdentity.ofRegularFile(file);
        if (identity.isEmpty()) {
            return 0;
        }
        long key = key(identity.get());
        synchronized (this) {
            Integer count = repeated.get(key);
            return count != null ? count : opened[slot(opened, key)] == key ? 1 : 0;
        }
    }

    /** Files whose content was read at least once. */
    public synchronized int files() {
        return files;
    }

    /** Bytes read from source files. */
    public long bytes() {
        return bytes.get();
    }

    /** Files opened more than once (the first {@value #NAMED} of them, by the name they were opened under). */
    public synchronized List<Path> readMoreThanOnce() {
        return List.copyOf(repeatedNames);
    }

    public long referencedFiles() {
        return referencedFiles.get();
    }

    public long referencedBytes() {
        return referencedBytes.get();
    }

    /** One line for the log, e.g. {@code read 12 MiB from 40 files, each once; 3 files (6 MiB) sent as references, not read}. */
    public String describe() {
        int again;
        synchronized (this) {
            again = repeated.size();
        }
        return "read " + DataSize.format(bytes()) + " from " + filesLabel(files())
                + (again == 0 ? ", each once" : ", " + again + " of them more than once")
                + (referencedFiles() == 0 ? "" : "; " + filesLabel(referencedFiles()) + " (" + DataSize.format(referencedBytes())
                        + ") sent as references, not read");
    }

    private synchronized void noteOpen(Path file, long key) {
        int slot = slot(opened, key);
        if (opened[slot] == key) {
            if (repeated.merge(key, 2, (count, two) -> count + 1) == 2 && repeatedNames.size() < NAMED) {
                repeatedNames.add(file);
            }
            return;
        }
        opened[slot] = key;
        files++;
        if (files * 2 > opened.length) {
            long[] bigger = new long[opened.length * 2];
            for (long k : opened) {
                if (k != 0) {
                    bigger[slot(bigger, k)] = k;
                }
            }
            opened = bigger;
        }
    }

    /** The slot holding {@code key}, or the empty slot where it goes. */
    private static int slot(long[] table, long key) {
        int mask = table.length - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        while (table[i] != 0 && table[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Device and inode mixed into one non-zero key (two files sharing one is as unlikely as a 64-bit hash collision). */
    private static long key(FileIdentity identity) {
        long key = (identity.dev() * 0x9E3779B97F4A7C15L ^ identity.ino()) * 0xBF58476D1CE4E5B9L;
        key ^= key >>> 31;
        return key == 0 ? 1 : key;
    }

    private static String filesLabel(long count) {
        return count + (count == 1 ? " file" : " files");
    }
}
