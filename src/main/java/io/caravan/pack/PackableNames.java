package io.caravan.pack;

import io.caravan.CaravanException;
import io.caravan.fs.NameRules;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The names a pack would write, checked against {@link NameRules} before anything is written: each entry's
 * path in the archive ({@code <source's name>/<path below it>}) part by part and as a whole, as the
 * extraction of {@code caravan unpack} and a receiver checks it, so a part set or zip that packs is one they
 * can restore. One walk of the sources, no link followed, stopped at the first name refused; a name that is
 * not UTF-8 is left to the packing, which refuses it naming its bytes.
 */
public final class PackableNames {

    private PackableNames() {
    }

    /** Throws {@link CaravanException} naming the first entry of {@code sources} the name rules refuse. */
    public static void require(List<Path> sources) throws IOException {
        for (Path source : sources) {
            Path path = source.toAbsolutePath().normalize();
            Path top = path.getFileName();
            if (top == null || !Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return check(dir);
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    return check(file);
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // the packing reports what it cannot read
                }

                private FileVisitResult check(Path entry) {
                    if (NameRules.unreadable(entry)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    String name = path.equals(entry) ? top.toString()
                            : top + "/" + path.relativize(entry).toString();
                    String problem = NameRules.segmentProblem(entry.getFileName().toString());
                    if (problem == null) {
                        problem = NameRules.lengthProblem(name);
                    }
                    if (problem != null) {
                        throw new CaravanException("cannot pack '" + NameRules.shortened(name) + "': " + problem
                                + "; caravan unpack and a receiver refuse a parcel that holds it. Rename it or pack"
                                + " without it; nothing was written");
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }
}
