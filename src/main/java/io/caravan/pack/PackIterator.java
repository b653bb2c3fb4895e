package io.caravan.pack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Packs on a background thread and hands out the chunks one by one, so a Camel splitter (or any
 * loop) can stream a parcel of any size. At most three chunks are in memory: the one being filled,
 * one queued, and the one looked at to mark the {@code last} chunk. {@link #manifest()} is
 * available once the iteration is over. Close it to stop packing early: from any thread, and a
 * {@link #hasNext()} or {@link #next()} waiting for a chunk in another thread then returns (there
 * are no more chunks; a chunk already taken is not marked {@code last}).
 */
public final class PackIterator implements Iterator<Chunk>, AutoCloseable {

    private static final Object END = new Object();
    /** What a wait for a chunk gets once the iterator is closed. */
    private static final Object CLOSED = new Object();

    private final String parcel;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1);
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(16);
    private final Thread producer;
    private volatile Manifest manifest;
    private volatile boolean closed;
    private Object pending;

    /** What the packing thread runs: packs into {@code target}, answers the manifest. */
    private interface Packing {
        Manifest into(ChunkTarget target) throws IOException;
    }

    public PackIterator(Packer packer, List<Path> sources) {
        this(packer.options(), target -> packer.packSources(PackSource.of(sources), target));
    }

    /** Iterates the chunks of exactly these sources under their given names. */
    public static PackIterator ofSources(Packer packer, List<PackSource> sources) {
        return new PackIterator(packer.options(), target -> packer.packSources(sources, target));
    }

    /** Iterates the chunks of one file uploaded as its own bytes ({@link RawFileParcel}): the receiver hashes it whole. */
    public static PackIterator ofRawFile(Packer packer, Path file) {
        return new PackIterator(packer.options(), target -> packer.packRawFile(file, target, false));
    }

    private PackIterator(PackOptions options, Packing packing) {
        this.parcel = options.name();
        this.producer = new Thread(() -> produce(options, packing), "caravan-pack-" + parcel);
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(PackOptions options, Packing packing) {
        Object outcome;
        try {
            manifest = packing.into(new QueueTarget(options.chunkSize()));
            outcome = END;
        } catch (IOException e) {
            outcome = new UncheckedIOException(e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            outcome = e;
        }
        try {
            queue.put(outcome);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean hasNext() {
        fill();
        return pending instanceof Chunk;
    }

    @Override
    public Chunk next() {
        fill();
        if (!(pending instanceof Chunk chunk)) {
            throw new NoSuchElementException("no more chunks in parcel " + parcel);
        }
        pending = null;
        fill();
        return pending instanceof Chunk || pending == CLOSED ? chunk : chunk.asLast();
    }

    /** The parcel's manifest; only once {@link #hasNext()} has returned false. */
    public Manifest manifest() {
        if (manifest == null || pending != END) {
            throw new IllegalStateException("the manifest is known only after the last chunk");
        }
        return manifest;
    }

    private void fill() {
        if (pending != null) {
            return;
        }
        if (closed) {
            pending = CLOSED;
            return;
        }
        try {
            pending = queue.take();
            if (pending == CLOSED) {
                queue.offer(CLOSED); // for a wait in yet another thread
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next chunk of " + parcel, e);
        }
        if (pending instanceof RuntimeException e) {
            throw e;
        }
        if (pending instanceof Error e) {
            throw e;
        }
    }

    /**
     * Gives a chunk's array back once the caller is done with it (shipped, written), so the next chunk
     * reuses it instead of allocating; optional, and the chunk must not be used afterwards.
     */
    public void recycle(Chunk chunk) {
        spare.offer(chunk.data());
    }

    /**
     * Stops the packing thread if it is still running and waits for it; a wait for a chunk in another
     * thread ends, with no more chunks.
     */
    @Override
    public void close() {
        closed = true;
        try {
            while (producer.isAlive()) {
                producer.interrupt();
                queue.clear();
                producer.join(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            queue.clear();
            queue.offer(CLOSED);
        }
    }

    private final class QueueTarget implements ChunkTarget {
        private final long chunkSize;
        private ChunkBuffer current;

        QueueTarget(long chunkSize) {
            this.chunkSize = chunkSize;
        }

        @Override
        public OutputStream open(int index) {
            byte[] recycled = spare.poll();
            current = recycled != null && recycled.length == chunkSize ? new ChunkBuffer(recycled) : new ChunkBuffer(chunkSize);
            return current;
        }

        @Override
        public void completed(ChunkInfo info) throws IOException {
            Chunk chunk = new Chunk(parcel, info.index(), current.bytes(), info.checksum(), false);
            current = null;
            try {
                queue.put(chunk);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("packing of " + parcel + " was stopped");
            }
        }
    }
}
