package io.caravan.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An inbox holding one folder {@code big} of {@code folders} folders {@code dNNN} of {@code files} empty
 * files {@code file-NNNN.txt} each: in {@code /dev/shm} where it can be (quick to make and to remove),
 * else below a folder the test removes.
 */
final class ManyEmptyFiles {

    private ManyEmptyFiles() {
    }

    /** Makes the inbox (named after {@code prefix} in {@code /dev/shm}, else {@code fallback}) and its folder {@code big}. */
    static Path inbox(String prefix, Path fallback, int folders, int files) throws IOException {
        Path shm = Path.of("/dev/shm");
        Path inbox = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, prefix)
                : Files.createDirectories(fallback);
        Path big = Files.createDirectories(inbox.resolve("big"));
        for (int d = 0; d < folders; d++) {
            Path folder = Files.createDirectory(big.resolve(String.format("d%03d", d)));
            for (int f = 0; f < files; f++) {
                Files.createFile(folder.resolve(String.format("file-%04d.txt", f)));
            }
        }
        return inbox;
    }

    /** Removes an inbox made in {@code /dev/shm} (one elsewhere is the test's temporary folder's to remove). */
    static void remove(Path inbox) throws IOException {
        if (inbox != null && inbox.startsWith("/dev/shm")) {
            try (Stream<Path> all = Files.walk(inbox)) {
                for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
