package io.caravan.fs;

import io.caravan.util.DataSize;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The free space that writes into a folder must leave on its disk. Several writers may ask at once:
 * what each was granted counts as taken until it {@link #release}s it (its bytes are then on the disk,
 * or were never written), so that together they cannot go below the floor the first check saw room for.
 */
public final class FreeSpaceFloor {

    private final Path folder;
    private final long floor;
    private final String option;
    private final AtomicLong granted = new AtomicLong();

    /** A floor of {@code floor} bytes (0: none) on the disk of {@code folder}; {@code option} is how the user lowers it. */
    public FreeSpaceFloor(Path folder, long floor, String option) {
        if (floor < 0) {
            throw new IllegalArgumentException("the free space to keep cannot be negative, was " + floor);
        }
        this.folder = folder;
        this.floor = floor;
        this.option = option;
    }

    public long floor() {
        return floor;
    }

    /**
     * Takes {@code bytes} for {@code what} when they leave the floor free; null when taken (give them back with
     * {@link #release}), else why not, for the user.
     */
    public synchronized String take(String what, long bytes) throws IOException {
        if (floor == 0 && bytes == 0) {
            return null;
        }
        FileStore store = Files.getFileStore(folder);
        long left = store.getUsableSpace() - granted.get() - Math.max(0, bytes);
        if (left < floor || bytes < 0) {
            return what + " would leave less than " + DataSize.format(floor) + " free on the disk of " + folder
                    + "; free space or lower " + option;
        }
        granted.addAndGet(bytes);
        return null;
    }

    /** Gives back what {@link #take} granted. */
    public void release(long bytes) {
        granted.addAndGet(-bytes);
    }
}
