package io.caravan.util;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/** Counts the files and content bytes under some paths without following links (for progress totals). */
public record TreeScan(long files, long bytes) {

    public static TreeScan of(List<Path> paths) throws IOException {
        long[] counts = new long[2];
        for (Path path : paths) {
            if (!Files.exists(path)) {
                continue;
            }
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    counts[0]++;
                    if (attrs.isRegularFile()) {
                        counts[1] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return new TreeScan(counts[0], counts[1]);
    }
}
