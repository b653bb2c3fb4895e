package io.caravan;

import static org.awaitility.Awaitility.await;

import io.caravan.util.FileIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

/**
 * Changes a file the way that fools a size-and-mtime check: one byte flipped in place (same inode,
 * same size), then the mtime set back. Only the ctime shows the change, so it first waits until the
 * file system's clock has moved past the file's ctime (its timestamps are coarser than nanoseconds).
 */
public final class InPlaceChange {

    private InPlaceChange() {
    }

    public static void flipFirstByteKeepingSizeAndMtime(Path file) throws IOException {
        waitForTheFileClockToPass(file);
        FileTime mtime = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer first = ByteBuffer.allocate(1);
            channel.read(first, 0);
            first.put(0, (byte) (first.get(0) ^ 0x5a)).rewind();
            channel.write(first, 0);
        }
        Files.setLastModifiedTime(file, mtime);
    }

    /** Waits until a file written now gets a later ctime than {@code file} has. */
    public static void waitForTheFileClockToPass(Path file) throws IOException {
        FileTime ctime = ctime(file);
        Path probe = file.resolveSibling(".clock-probe-" + System.nanoTime());
        try {
            await("the file system clock to pass " + ctime).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2))
                    .until(() -> {
                        Files.write(probe, new byte[] {1});
                        return ctime(probe).compareTo(ctime) > 0;
                    });
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Waits until every file last changed more than {@link FileIdentity#SLACK_MILLIS} ago, so a hash
     * read now is remembered (a sender does not trust an identity seen right after a change).
     */
    public static void settle(Path... files) throws IOException {
        long newest = 0;
        for (Path file : files) {
            newest = Math.max(newest, ctime(file).toMillis());
        }
        long due = newest + FileIdentity.SLACK_MILLIS + 10;
        await("files to settle").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> System.currentTimeMillis() > due);
    }

    public static FileTime ctime(Path file) throws IOException {
        return (FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
    }
}
