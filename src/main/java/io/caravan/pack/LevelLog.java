package io.caravan.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The zstd level {@link AdaptiveZstdOutputStream} chose for each segment of a parcel's stream, in
 * order, so that packing the same input again with the same log gives the same bytes: a resumed
 * upload regenerates the chunks the receiver already holds. Kept in memory, or in a file of one byte
 * per segment, appended before the segment is compressed, so what a receiver holds is always covered.
 */
public final class LevelLog {

    /** The segment is stored in raw zstd blocks, not compressed. */
    public static final int STORE = Integer.MIN_VALUE;
    private static final byte STORE_BYTE = Byte.MIN_VALUE;

    private final Path file;
    private byte[] levels;
    private int size;

    private LevelLog(Path file, byte[] levels) {
        this.file = file;
        this.levels = levels.length == 0 ? new byte[16] : levels;
        this.size = levels.length;
    }

    /** An empty log kept in memory. */
    public static LevelLog inMemory() {
        return new LevelLog(null, new byte[0]);
    }

    /** A log kept in memory holding these levels ({@link #STORE} for a stored segment). */
    public static LevelLog of(int... levels) {
        LevelLog log = inMemory();
        for (int level : levels) {
            log.append(level);
        }
        return log;
    }

    /** The log in {@code file}, with what an earlier run recorded there; new levels are appended to it. */
    public static LevelLog in(Path file) throws IOException {
        return new LevelLog(file, Files.exists(file) ? Files.readAllBytes(file) : new byte[0]);
    }

    /** How many segments the log covers. */
    public synchronized int size() {
        return size;
    }

    /** The level recorded for {@code segment}, which must be below {@link #size()}. */
    public synchronized int level(int segment) {
        if (segment < 0 || segment >= size) {
            throw new IndexOutOfBoundsException("segment " + segment + " of " + size);
        }
        return levels[segment] == STORE_BYTE ? STORE : levels[segment];
    }

    /** Records the level of the next segment, {@code segment} being {@link #size()}. */
    public synchronized void record(int segment, int level) throws IOException {
        if (segment != size) {
            throw new IllegalStateException("segment " + segment + " recorded after " + size + " segments");
        }
        byte value = append(level);
        if (file != null) {
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[] {value}, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** The recorded levels, segment by segment. */
    public synchronized List<Integer> levels() {
        List<Integer> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(level(i));
        }
        return all;
    }

    private byte append(int level) {
        if (level != STORE && (level < -127 || level > 127)) {
            throw new IllegalArgumentException("zstd level " + level + " cannot be recorded");
        }
        if (size == levels.length) {
            levels = Arrays.copyOf(levels, levels.length * 2);
        }
        byte value = level == STORE ? STORE_BYTE : (byte) level;
        levels[size++] = value;
        return value;
    }
}
