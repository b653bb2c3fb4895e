package io.caravan.sync;

import io.caravan.unpack.PosixModes;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists a mirror entry by entry for a sender's diff: relative path, type ({@code file}, {@code dir},
 * {@code link}), size, mtime in milliseconds, permission bits, link target, and with
 * {@code checksum} the SHA-256 of each file (read streaming). Links are never followed; entries that
 * vanish during the walk are left out.
 */
final class MirrorListing {

    private MirrorListing() {
    }

    static List<MirrorEntry> list(Path mirror, boolean checksum) throws IOException {
        List<MirrorEntry> entries = new ArrayList<>();
        if (!Files.isDirectory(mirror, LinkOption.NOFOLLOW_LINKS)) {
            return entries;
        }
        byte[] buffer = new byte[256 * 1024];
        Files.walkFileTree(mirror, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(mirror)) {
                    add(dir, "dir");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink() || attrs.isRegularFile()) {
                    add(file, attrs.isSymbolicLink() ? "link" : "file");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            private void add(Path path, String type) throws IOException {
                try {
                    entries.add(entry(mirror.relativize(path).toString(), path, type, checksum, buffer));
                } catch (NoSuchFileException e) {
                    // removed while listing: it is simply not there
                }
            }
        });
        return entries;
    }

    private static MirrorEntry entry(String relative, Path path, String type, boolean checksum, byte[] buffer)
            throws IOException {
        if (type.equals("link")) {
            return MirrorEntry.link(relative, Files.readSymbolicLink(path).toString());
        }
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new MirrorEntry(relative, type, null, type.equals("file") ? attrs.size() : 0L,
                attrs.lastModifiedTime().toMillis(), PosixModes.fromPermissions(attrs.permissions()),
                checksum && type.equals("file") ? sha256(path, buffer) : null);
    }

    static String sha256(Path file, byte[] buffer) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return Sha256.of(in, buffer);
        }
    }
}
