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
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A hidden, owner-only folder inside the destination where an extraction happens; on
 * {@link #publish} a {@link Publisher} moves its top-level entries into the destination (same file
 * system, so each rename is atomic). Until then nothing of the extraction is visible under its final name.
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
        // owner-only until published, so nobody else can plant links in it while it is filled
        return new Staging(dest, Files.createDirectory(dest.resolve(PREFIX + HexFormat.of().formatHex(id)),
                PosixFilePermissions.asFileAttribute(PosixModes.toPermissions(0700))));
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

    public Path dir() {
        return dir;
    }

    /** Publishes every top-level entry into the destination under its own name, and removes the staging folder. */
    public List<Path> publish(io.caravan.fs.Versions versions, Publisher.Policy policy) throws IOException {
        List<Path> published = new ArrayList<>();
        for (String name : new Publisher(destination, versions).publishAll(dir, policy)) {
            published.add(destination.resolve(name));
        }
        this.published = true;
        deleteTree(dir);
        return published;
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
