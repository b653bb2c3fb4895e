package io.caravan.unpack;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A hidden folder inside the destination where an extraction happens; on {@link #publish} each of
 * its top-level entries is renamed into the destination (same file system, so each rename is
 * atomic). Until then nothing of the extraction is visible under its final name.
 */
public final class Staging implements AutoCloseable {

    public static final String PREFIX = ".caravan-staging-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path destination;
    private final Path dir;
    private boolean published;

    private Staging(Path destination, Path dir) {
        this.destination = destination;
        this.dir = dir;
    }

    public static Staging create(Path destination) throws IOException {
        Path dest = destination.toAbsolutePath().normalize();
        Files.createDirectories(dest);
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return new Staging(dest, Files.createDirectory(dest.resolve(PREFIX + HexFormat.of().formatHex(id))));
    }

    /** A fresh, empty staging folder at {@code dir} (which must be on the destination's file system). */
    public static Staging at(Path dir, Path destination) throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir);
        return new Staging(destination.toAbsolutePath().normalize(), dir);
    }

    /** The staging folder {@code dir}, already filled, for publishing into {@code destination}. */
    public static Staging existing(Path dir, Path destination) {
        return new Staging(destination.toAbsolutePath().normalize(), dir);
    }

    /**
     * Publishes under {@code name} (a relative path, may hold folders): the single top-level entry is
     * renamed to it, or, when there are several, a folder of that name holding them all.
     */
    public Path publishAs(String name, OnConflict onConflict) throws IOException {
        List<Path> children = children();
        Path target = destination.resolve(name).normalize();
        if (!target.startsWith(destination) || target.equals(destination)) {
            throw new IllegalArgumentException("parcel name '" + name + "' is not a relative path inside the destination");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && onConflict == OnConflict.FAIL) {
            throw new PublishConflictException(target + " already exists (on-conflict is fail)");
        }
        Files.createDirectories(target.getParent());
        Path published;
        if (children.size() == 1) {
            published = move(children.get(0), target, onConflict);
            this.published = true;
            deleteTree(dir);
        } else {
            Files.setPosixFilePermissions(dir, PosixModes.toPermissions(0755));
            published = move(dir, target, onConflict);
            this.published = true;
        }
        return published;
    }

    private List<Path> children() throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        children.sort(null);
        return children;
    }

    public Path dir() {
        return dir;
    }

    /** Moves every top-level entry into the destination and removes the staging folder. */
    public List<Path> publish(OnConflict onConflict) throws IOException {
        List<Path> children = children();
        List<Path> targets = new ArrayList<>();
        for (Path child : children) {
            Path target = destination.resolve(child.getFileName().toString());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && onConflict == OnConflict.FAIL) {
                throw new PublishConflictException(target + " already exists (on-conflict is fail): remove it"
                        + " or choose on-conflict replace or rename");
            }
            targets.add(target);
        }
        List<Path> published = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            published.add(move(children.get(i), targets.get(i), onConflict));
        }
        this.published = true;
        deleteTree(dir);
        return published;
    }

    private Path move(Path source, Path target, OnConflict onConflict) throws IOException {
        if (onConflict == OnConflict.RENAME) {
            target = freeName(target);
        }
        boolean targetIsDir = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
        if (!targetIsDir) {
            // rename(2) replaces a file or link atomically.
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        }
        Path old = target.resolveSibling(".caravan-replaced-" + target.getFileName());
        deleteTree(old);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
        return target;
    }

    private static Path freeName(Path target) {
        Path candidate = target;
        for (int n = 1; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS); n++) {
            String name = target.getFileName().toString();
            int dot = name.lastIndexOf('.');
            candidate = dot > 0
                    ? target.resolveSibling(name.substring(0, dot) + " (" + n + ")" + name.substring(dot))
                    : target.resolveSibling(name + " (" + n + ")");
        }
        return candidate;
    }

    /** Removes the staging folder and whatever it holds; safe to call after {@link #publish}. */
    @Override
    public void close() throws IOException {
        if (!published) {
            deleteTree(dir);
        }
    }

    /**
     * Deletes a tree without following links; read-only folders are made writable first, and entries
     * that vanish during the walk are skipped (a folder that gains one fails with DirectoryNotEmptyException).
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.setPosixFilePermissions(d, PosixModes.toPermissions(0700));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // gone meanwhile (a writer's temp file): nothing to delete
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
