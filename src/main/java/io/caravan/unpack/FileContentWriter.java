package io.caravan.unpack;

import com.sun.nio.file.ExtendedOpenOption;
import io.caravan.progress.ProgressListener;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the content of one extracted file, read from the archive stream, into a new file. Files of
 * at least {@link #DIRECT_FROM} bytes go to disk with O_DIRECT through a block-aligned buffer from a
 * small shared pool: a large file then costs no page-cache copy (on some machines several times the
 * CPU of everything else the extraction does) and does not push other data out of the cache. Smaller
 * files, file systems without direct I/O (tmpfs, some network mounts; found out once per
 * file system) and a moment when every pooled
 * buffer is in use take the ordinary buffered write. While a block of a large file is written on the
 * write-behind executor the caller gives (it owns it), the next one is read and hashed.
 */
final class FileContentWriter {

    private static final Logger LOG = LoggerFactory.getLogger(FileContentWriter.class);

    /** Size from which a file is written with direct I/O. */
    static final long DIRECT_FROM = 8L << 20;

    private static final Set<OpenOption> DIRECT = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS, ExtendedOpenOption.DIRECT);
    private static final Set<OpenOption> REOPEN = Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    /**
     * Shared by all extractions of the process: bounds the direct memory they take (two per file at most,
     * so at most {@link ExtractPolicy#WRITE_BEHIND_THREADS} files have a block written behind at once).
     */
    private static final AlignedBuffers POOL = new AlignedBuffers(2 * ExtractPolicy.WRITE_BEHIND_THREADS);
    /** File systems found not to take direct I/O: their files are written through the page cache. */
    private static final Set<FileStore> NO_DIRECT = ConcurrentHashMap.newKeySet();

    private final byte[] buffer = new byte[256 * 1024];
    private final boolean directAllowed;
    private final Executor writeBehind;

    /**
     * {@code directAllowed} false: always the buffered write ({@code caravan.receiver.direct-io=false});
     * {@code writeBehind}: where a block is written while the next is read (null: one after the other).
     */
    FileContentWriter(boolean directAllowed, Executor writeBehind) {
        this.directAllowed = directAllowed;
        this.writeBehind = writeBehind;
    }

    /**
     * Creates {@code target} (it must not exist) with the next {@code size} bytes of {@code content},
     * adding them to {@code digest} (when not null) and reporting them to {@code listener}.
     */
    void write(Path target, String name, long size, InputStream content, MessageDigest digest,
               ProgressListener listener) throws IOException {
        FileStore store = directAllowed && size >= DIRECT_FROM ? Files.getFileStore(target.getParent()) : null;
        ByteBuffer block = store != null && !NO_DIRECT.contains(store) ? POOL.acquire() : null;
        if (block == null) {
            buffered(target, name, size, content, digest, listener);
            return;
        }
        try {
            FileChannel channel = openDirect(target, store);
            if (channel == null) {
                buffered(target, name, size, content, digest, listener);
            } else {
                direct(channel, target, store, name, size, content, digest, listener, block);
            }
        } finally {
            POOL.release(block);
        }
    }

    private void buffered(Path target, String name, long size, InputStream content, MessageDigest digest,
                          ProgressListener listener) throws IOException {
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            for (long remaining = size; remaining > 0; ) {
                int n = read(content, name, (int) Math.min(buffer.length, remaining), digest, listener);
                out.write(buffer, 0, n);
                remaining -= n;
            }
        }
    }

    /** The file opened for direct writes, or null (and no file left behind) where direct I/O is not supported. */
    private static FileChannel openDirect(Path target, FileStore store) throws IOException {
        try {
            return FileChannel.open(target, DIRECT);
        } catch (FileAlreadyExistsException e) {
            throw e; // never replaced: the caller made room for the entry
        } catch (UnsupportedOperationException | IOException e) {
            // tmpfs and others refuse O_DIRECT after creating the file (O_EXCL: this open created it);
            // no file means a real failure (space, rights)
            if (e instanceof IOException && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw (IOException) e;
            }
            Files.deleteIfExists(target);
            NO_DIRECT.add(store);
            LOG.info("large extracted files are written through the page cache: direct I/O is not supported in {} ({})",
                    target.getParent(), e.getMessage());
            return null;
        }
    }

    private void direct(FileChannel opened, Path target, FileStore store, String name, long size, InputStream content,
                        MessageDigest digest, ProgressListener listener, ByteBuffer first) throws IOException {
        FileChannel channel = opened;
        boolean aligned = true;
        ByteBuffer second = null; // with two blocks, one is written on writeBehind while the other is filled
        Future<?> pending = null;
        ByteBuffer block = first;
        try {
            long offset = 0;
            for (long remaining = size; remaining > 0; ) {
                block.clear();
                while (block.hasRemaining() && remaining > 0) {
                    int n = read(content, name, (int) Math.min(Math.min(buffer.length, block.remaining()), remaining),
                            digest, listener);
                    block.put(buffer, 0, n);
                    remaining -= n;
                }
                int filled = block.position();
                int padded = aligned ? (int) AlignedBuffers.roundUp(filled, AlignedBuffers.BLOCK) : filled;
                for (int i = filled; i < padded; i++) {
                    block.put(i, (byte) 0); // the last block's tail: cut off by the truncate below
                }
                block.flip().limit(padded);
                if (second != null) {
                    await(pending); // the other block's write: then only this one is in flight
                    pending = writeBehind(channel, block, offset);
                    block = block == first ? second : first;
                } else if (offset > 0 || !aligned) {
                    writeFully(channel, block, offset);
                } else {
                    // the first block alone: it tells whether this file system takes direct writes
                    try {
                        writeFully(channel, block, offset);
                        second = remaining > 0 && writeBehind != null ? POOL.acquire() : null;
                    } catch (IOException e) {
                        // opened with O_DIRECT but the writes are refused (alignment): go on through the page cache
                        channel.close();
                        channel = FileChannel.open(target, REOPEN);
                        aligned = false;
                        writeFully(channel, block.position(0).limit(filled), offset);
                        NO_DIRECT.add(store);
                        LOG.warn("direct I/O failed in {} ({}); large extracted files are written through the page cache from now on",
                                target.getParent(), e.getMessage());
                    }
                }
                offset += filled;
            }
            await(pending);
            pending = null;
            if (aligned && size % AlignedBuffers.BLOCK != 0) {
                channel.truncate(size);
            }
        } finally {
            if (pending != null) {
                awaitQuietly(pending); // never close the file or reuse the block under a running write
            }
            if (second != null) {
                POOL.release(second);
            }
            channel.close();
        }
    }

    /** The block's write, started on the write-behind executor; done here when it takes no more work (stopping). */
    private Future<?> writeBehind(FileChannel channel, ByteBuffer block, long offset) {
        FutureTask<Void> write = new FutureTask<>(() -> {
            writeFully(channel, block, offset);
            return null;
        });
        try {
            writeBehind.execute(write);
        } catch (RejectedExecutionException e) {
            write.run();
        }
        return write;
    }

    private static void await(Future<?> write) throws IOException {
        if (write == null) {
            return;
        }
        try {
            write.get();
        } catch (ExecutionException e) {
            Failures.rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing an extracted file");
        }
    }

    private static void awaitQuietly(Future<?> write) {
        try {
            write.get();
        } catch (ExecutionException e) {
            // the failure that got us here is the one reported
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer block, long offset) throws IOException {
        long at = offset;
        while (block.hasRemaining()) {
            at += channel.write(block, at);
        }
    }

    /** Reads 1..{@code max} bytes into the buffer, hashing and reporting them; a stream ending early is an error. */
    private int read(InputStream content, String name, int max, MessageDigest digest, ProgressListener listener)
            throws IOException {
        int n = content.read(buffer, 0, max);
        if (n < 0) {
            throw new IOException("the archive ends in the middle of entry '" + name + "'");
        }
        if (digest != null) {
            digest.update(buffer, 0, n);
        }
        listener.bytes(n);
        return n;
    }
}
