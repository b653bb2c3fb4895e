package io.caravan.util;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A list that is only appended to and then walked, forwards or backwards, holding at most {@code block} of its
 * items in memory whatever its length: each full block is written to a file of its own (made on the first
 * spill, in {@code spillDir}, deleted by {@link #close}) and read back one block at a time by a walk. For
 * what an archive's extraction must remember of every folder and link until its end, where an archive of a
 * million links would otherwise hold a million paths on the heap.
 *
 * <p>Not thread-safe. Items are written and read by the given {@link Codec}; an item written is read back
 * equal. A walk reads the file as it goes.
 */
public final class SpilledList<T> implements AutoCloseable {

    /** What a walk does with each item; it may fail as reading the spill file may. */
    @FunctionalInterface
    public interface Each<T> {
        void accept(T item) throws IOException;
    }

    /** How an item is written to the spill file and read back. */
    public interface Codec<T> {
        void write(DataOutput out, T item) throws IOException;

        T read(DataInput in) throws IOException;
    }

    /** Strings (of at most 65,535 bytes in modified UTF-8, as {@link DataOutput#writeUTF} writes them). */
    public static final Codec<String> STRINGS = new Codec<>() {
        @Override
        public void write(DataOutput out, String item) throws IOException {
            out.writeUTF(item);
        }

        @Override
        public String read(DataInput in) throws IOException {
            return in.readUTF();
        }
    };

    private final Path spillDir;
    private final int block;
    private final Codec<T> codec;
    private final List<T> tail = new ArrayList<>();
    /** Where each spilled block (of exactly {@code block} items) starts in the file. */
    private long[] starts = new long[8];
    private int blocks;
    private long size;
    private Path file;
    private FileChannel channel;

    /** {@code block}: the most items held in memory (at least 1); {@code spillDir}: where the spill file is made. */
    public SpilledList(Path spillDir, int block, Codec<T> codec) {
        if (block < 1) {
            throw new IllegalArgumentException("a block holds at least one item, not " + block);
        }
        this.spillDir = spillDir;
        this.block = block;
        this.codec = codec;
    }

    /** Appends {@code item}; writes the block in memory to the spill file first when it is full. */
    public void add(T item) throws IOException {
        if (tail.size() == block) {
            spill();
        }
        tail.add(item);
        size++;
    }

    public long size() {
        return size;
    }

    /** How many items are in memory now: never more than the block. */
    public int held() {
        return tail.size();
    }

    /** Every item in the order added. */
    public void forEach(Each<? super T> action) throws IOException {
        for (int b = 0; b < blocks; b++) {
            for (T item : readBlock(b)) {
                action.accept(item);
            }
        }
        for (T item : tail) {
            action.accept(item);
        }
    }

    /** Every item, the last added first. */
    public void forEachReversed(Each<? super T> action) throws IOException {
        for (int i = tail.size() - 1; i >= 0; i--) {
            action.accept(tail.get(i));
        }
        for (int b = blocks - 1; b >= 0; b--) {
            List<T> items = readBlock(b);
            for (int i = items.size() - 1; i >= 0; i--) {
                action.accept(items.get(i));
            }
        }
    }

    private void spill() throws IOException {
        if (channel == null) {
            file = Files.createTempFile(spillDir, ".caravan-spill-", "");
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        if (blocks == starts.length) {
            starts = Arrays.copyOf(starts, blocks * 2);
        }
        long start = channel.size();
        starts[blocks++] = start;
        channel.position(start);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024));
        for (T item : tail) {
            codec.write(out, item);
        }
        out.flush();
        tail.clear();
    }

    private List<T> readBlock(int b) throws IOException {
        channel.position(starts[b]);
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024));
        List<T> items = new ArrayList<>(block);
        for (int i = 0; i < block; i++) {
            items.add(codec.read(in));
        }
        return items;
    }

    /** Deletes the spill file, if one was made. */
    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            Files.deleteIfExists(file);
        }
    }
}
