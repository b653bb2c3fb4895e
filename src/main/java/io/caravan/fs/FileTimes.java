package io.caravan.fs;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * Sets modification times exactly, through {@code utimensat}: the JDK's own setter turns a time before 1970 with a
 * fraction of a second into negative nanoseconds, which the system refuses, and then sets 1970-01-01 instead; and it
 * counts in a long of nanoseconds, so a time after 2262-04-11 becomes that day. A mirror or a follower holding such a
 * time would then differ from its source at every pass. What the file system keeps is its own range (ext4: 1901 to
 * 2446).
 */
public final class FileTimes {

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private FileTimes() {
    }

    /** Sets the modification time of {@code path} itself (a link's own, not its target's); its access time stays. */
    public static void setModified(Path path, FileTime time) throws IOException {
        set(AT_FDCWD, path.toString(), time, path.toString());
    }

    /** Sets the modification time of {@code name} in the open folder {@code dirfd}, not following a link. */
    static void set(int dirfd, String name, FileTime time, String shown) throws IOException {
        Instant instant = time.toInstant(); // whole seconds floored, nanoseconds 0 to 999,999,999: a timespec
        long[] times = {0, UTIME_OMIT, instant.getEpochSecond(), instant.getNano()};
        try {
            LibC.INSTANCE.utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw ConfinedDir.failure(e, shown, name);
        }
    }
}
