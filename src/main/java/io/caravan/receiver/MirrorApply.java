package io.caravan.receiver;

import io.caravan.unpack.Staging;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Applies an extracted mirror parcel (a staging folder whose entries are named by their path in the
 * mirror) onto the mirror: each file or link is renamed over its target, so a reader sees the old
 * content or the new, never a mix; folders are created or merged, and a folder, file or link of
 * another type in the way is replaced. Folders of the parcel get its modes and mtimes last, deepest
 * first. Every target folder is a real folder: a link in the way is replaced, never followed.
 */
public final class MirrorApply {

    /** What one apply did. */
    public record Result(long files, long dirs, long links) {
    }

    private record DirMeta(Path target, Set<PosixFilePermission> permissions, FileTime mtime) {
    }

    private MirrorApply() {
    }

    /** Moves everything of {@code staging} into {@code mirror} (same file system) and removes {@code staging}. */
    public static Result apply(Path staging, Path mirror) throws IOException {
        Files.createDirectories(mirror);
        List<DirMeta> dirs = new ArrayList<>();
        long[] counts = new long[3];
        Files.walkFileTree(staging, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
                MirrorPaths.makeWritable(dir);
                if (dir.equals(staging)) {
                    return FileVisitResult.CONTINUE;
                }
                Path target = target(dir);
                BasicFileAttributes existing = MirrorPaths.attributes(target);
                if (existing == null || !existing.isDirectory()) {
                    if (existing != null) {
                        Files.delete(target);
                    }
                    Files.createDirectory(target);
                } else {
                    MirrorPaths.makeWritable(target);
                }
                dirs.add(new DirMeta(target, permissions, attrs.lastModifiedTime()));
                counts[1]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = target(file);
                BasicFileAttributes existing = MirrorPaths.attributes(target);
                if (existing != null && existing.isDirectory()) {
                    Staging.deleteTree(target);
                }
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                counts[attrs.isSymbolicLink() ? 2 : 0]++;
                return FileVisitResult.CONTINUE;
            }

            private Path target(Path entry) {
                return mirror.resolve(staging.relativize(entry).toString());
            }
        });
        for (int i = dirs.size() - 1; i >= 0; i--) {
            DirMeta dir = dirs.get(i);
            Files.setPosixFilePermissions(dir.target(), dir.permissions());
            Files.getFileAttributeView(dir.target(), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(dir.mtime(), null, null);
        }
        Staging.deleteTree(staging);
        return new Result(counts[0], counts[1], counts[2]);
    }
}
