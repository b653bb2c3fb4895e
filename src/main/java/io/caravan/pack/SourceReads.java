package io.caravan.pack;

import io.caravan.util.DataSize;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packer's one way to read a source file's content, and the count of what a send read with it:
 * how often each file was opened, the bytes read, and the files sent as references without being
 * read. One instance spans a whole send (every packing of its parcel), so a file opened twice is a
 * second pass over it; the sender reports the count and tests check it. Thread-safe.
 */
public final class SourceReads {

    private final Map<Path, Integer> opens = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong referencedFiles = new AtomicLong();
    private final AtomicLong referencedBytes = new AtomicLong();

    /** Opens {@code file} for reading without following a final link; every byte read through the stream is counted. */
    public InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        opens.merge(key(file), 1, Integer::sum);
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

    /** How many times {@code file} was opened for its content. */
    public int opens(Path file) {
        return opens.getOrDefault(key(file), 0);
    }

    /** Files whose content was read at least once. */
    public int files() {
        return opens.size();
    }

    /** Bytes read from source files. */
    public long bytes() {
        return bytes.get();
    }

    /** Files opened more than once, sorted. */
    public List<Path> readMoreThanOnce() {
        return opens.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }

    public long referencedFiles() {
        return referencedFiles.get();
    }

    public long referencedBytes() {
        return referencedBytes.get();
    }

    /** One line for the log, e.g. {@code read 12 MiB from 40 files, each once; 3 files (6 MiB) sent as references, not read}. */
    public String describe() {
        List<Path> again = readMoreThanOnce();
        return "read " + DataSize.format(bytes()) + " from " + filesLabel(files())
                + (again.isEmpty() ? ", each once" : ", " + again.size() + " of them more than once")
                + (referencedFiles() == 0 ? "" : "; " + filesLabel(referencedFiles()) + " (" + DataSize.format(referencedBytes())
                        + ") sent as references, not read");
    }

    private static String filesLabel(long count) {
        return count + (count == 1 ? " file" : " files");
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }
}
