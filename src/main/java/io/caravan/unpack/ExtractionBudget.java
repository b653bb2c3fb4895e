package io.caravan.unpack;

import io.caravan.InsufficientStorageException;
import io.caravan.progress.ProgressListener;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one extraction may consume, checked while it writes rather than only before: content bytes
 * ({@link ExtractPolicy#maxBytes()}, counting files materialised from stored content too), bytes per
 * compressed byte read once the grace is used ({@link ExtractPolicy#maxExpansion()}: a few KB of
 * zstd that expand to a GiB of zeros are refused after the grace, not after the GiB), and the
 * free-space floor ({@link ExtractPolicy#minFreeBytes()}, looked at every {@link #CHECK_EVERY} bytes
 * and after each stored file copied in). Expansion and free space are judged on one count per
 * extraction: the larger of the unpacked bytes read and the bytes written, whatever the entry kind,
 * so a sparse entry's holes (written out as zeros), zip entries sharing one stored body and stored
 * files copied in again for reference entries all count, though none of them is read from the stream. The
 * first copy of each stored content is the receiver's own (a parcel sent again is references) and is judged
 * against the floor only; a reference materialised as a hard link writes nothing and does not count there
 * (both count as content); a created folder counts the block it takes ({@link #FOLDER_BYTES}).
 * The streams, listener and hooks it hands out feed it; an archive read whole from a file
 * ({@link #compressedWhole}) counts that file's size as its compressed bytes.
 */
final class ExtractionBudget {

    /**
     * What a created folder counts as written: the block a file system gives it (ext4, XFS). A tar header (512
     * bytes, counted as unpacked) covers what a file or link takes beyond its content (an inode), not this:
     * 5,000 empty folders, 20 MB of disk, unpack from 9 KB of zstd.
     */
    static final long FOLDER_BYTES = 4096;

    /** The most first copies remembered (64 bytes each): beyond, every copy counts as written. */
    static final int MOST_FIRST_COPIES = 100_000;

    /** Unpacked bytes between two looks at the free space. */
    static final long CHECK_EVERY = 4L << 20;

    private final ExtractPolicy policy;
    private final Path root;
    private final FileStore store;
    private final AtomicLong compressed = new AtomicLong();
    /**
     * The stored contents copied in once so far (by SHA-256): a first copy is this receiver's own verified content
     * (a parcel sent again travels as references), not bytes expanded from the stream, and is judged against the
     * floor only; a copy of the same content again counts as written, against the expansion bound too.
     */
    private final java.util.Set<String> firstCopies = new java.util.HashSet<>();
    private long inflated;
    private long written;
    private long content;
    private long nextCheck = CHECK_EVERY;
    private String entry = "";

    ExtractionBudget(ExtractPolicy policy, Path root) throws IOException {
        this.policy = policy;
        this.root = root;
        this.store = policy.minFreeBytes() > 0 ? Files.getFileStore(root) : null;
    }

    /** Starts the counts where an extraction resumed at {@code checkpoint} had them. */
    void resumeAt(ExtractionCheckpoint checkpoint) {
        compressed.set(checkpoint.compressed());
        inflated = checkpoint.decoded();
        written = checkpoint.written();
        nextCheck = Math.max(inflated, written) + CHECK_EVERY;
        content = checkpoint.content();
    }

    /** Content bytes counted so far (on the extracting thread). */
    long content() {
        return content;
    }

    /** Bytes written so far, as the expansion and the floor count them (on the extracting thread). */
    long written() {
        return written;
    }

    /** Counts {@code bytes} compressed bytes at once: an archive read from a file of that size (a zip). */
    void compressedWhole(long bytes) {
        compressed.addAndGet(bytes);
    }

    /** Counts the compressed bytes read from {@code raw} (on whichever thread reads it). */
    InputStream compressed(InputStream raw) {
        return new FilterInputStream(raw) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    compressed.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    compressed.addAndGet(n);
                }
                return n;
            }
        };
    }

    /** The unpacked stream the extraction reads; expansion and free space are judged as it is read. */
    InputStream inflated(InputStream tar) {
        return new FilterInputStream(tar) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    unpacked(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    unpacked(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                if (skipped > 0) {
                    unpacked(skipped);
                }
                return skipped;
            }
        };
    }

    /** The extraction's listener: entry names for messages, content bytes against the limit. */
    ProgressListener listener(ProgressListener inner) {
        return new ProgressListener() {
            @Override
            public void entry(String path, long size) {
                entry = path;
                inner.entry(path, size);
            }

            @Override
            public void bytes(long bytes) {
                addContent(bytes);
                written(bytes);
                inner.bytes(bytes);
            }

            @Override
            public void warning(String message) {
                inner.warning(message);
            }

            @Override
            public void started(String operation, long totalBytes, long totalFiles) {
                inner.started(operation, totalBytes, totalFiles);
            }

            @Override
            public void chunk(int index, long size) {
                inner.chunk(index, size);
            }

            @Override
            public void finished(boolean success) {
                inner.finished(success);
            }
        };
    }

    /**
     * The extraction's hooks: a file materialised from stored content counts its size as content; a copy
     * counts as written too, and the expansion and the floor are judged right after it.
     */
    ExtractHooks hooks(ExtractHooks inner) {
        return new ExtractHooks() {
            @Override
            public boolean materialise(String sha256, long size, Path target, StoredFileCheck mayLink) throws IOException {
                boolean linked = inner.materialise(sha256, size, target, mayLink);
                if (size > 0) {
                    addContent(size);
                }
                if (!linked) {
                    long copy = size >= 0 ? size : Files.size(target);
                    if (firstCopies.size() < MOST_FIRST_COPIES && firstCopies.add(sha256)) {
                        copied(); // this receiver's own content, copied once: only the floor is judged
                    } else {
                        nextCheck = 0; // the same content copied again: expanded from the stream, judged now
                        written(copy);
                    }
                }
                return linked;
            }

            @Override
            public long reportFilesFrom() {
                return inner.reportFilesFrom();
            }

            @Override
            public boolean hashReportedFiles() {
                return inner.hashReportedFiles();
            }

            @Override
            public void extracted(String name, String sha256, long size) {
                inner.extracted(name, sha256, size);
            }

            @Override
            public void folderCreated() throws IOException {
                inner.folderCreated();
                written(FOLDER_BYTES);
            }
        };
    }

    private void addContent(long bytes) {
        content += bytes;
        if (content > policy.maxBytes()) {
            throw new ExtractLimitException("the archive holds more than " + policy.maxBytes()
                    + " bytes, the configured limit (at entry '" + entry + "')");
        }
    }

    /** Judges the free space right after a stored file was copied in, which took room. */
    private void copied() throws IOException {
        if (store != null) {
            floor();
        }
    }

    private void unpacked(long n) throws IOException {
        inflated += n;
        judge();
    }

    private void written(long n) {
        written += n;
        try {
            judge();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Judges the expansion and the free space once {@link #CHECK_EVERY} more bytes were unpacked or written. */
    private void judge() throws IOException {
        long unpacked = Math.max(inflated, written);
        if (unpacked < nextCheck) {
            return;
        }
        nextCheck = unpacked + CHECK_EVERY;
        long ratio = policy.maxExpansion();
        long sent = Math.max(1, compressed.get());
        if (ratio > 0 && unpacked > policy.expansionGrace() && unpacked / ratio > sent) {
            throw new ExpansionLimitException("the archive unpacks to more than " + ratio + " bytes per compressed byte ("
                    + unpacked + " bytes from " + sent + ", at entry '" + entry + "'): refused as a decompression bomb;"
                    + " if such parcels are expected, raise caravan.receiver.max-expansion (0: no limit)");
        }
        if (store != null) {
            floor();
        }
    }

    private void floor() throws IOException {
        long usable = store.getUsableSpace();
        if (usable < policy.minFreeBytes()) {
            throw new InsufficientStorageException("only " + usable + " bytes are free where " + root.getFileName()
                    + " is extracted, below the floor of " + policy.minFreeBytes()
                    + " (caravan.receiver.min-free-space), at entry '" + entry
                    + "': the extraction stopped and what it wrote was removed; retry when there is room");
        }
    }
}
