package io.caravan.sync;

import io.caravan.fs.ConfinedDir;
import io.caravan.unpack.PosixModes;
import io.caravan.util.ListingJson;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * The answer to {@code GET /mirror}: {@code {"name", "entries": [...]}}, the mirror listed entry by
 * entry for a sender's diff and written as it is walked, never gathered: relative path, type
 * ({@code file}, {@code dir}, {@code link}), size, mtime in milliseconds, permission bits, link target,
 * and with {@code checksum} the SHA-256 of each file (read streaming, just before its entry is
 * written, so a client that goes away ends the hashing at its next write). Links are never followed;
 * entries that vanish during the walk are left out. The walk holds the mirror's lock, as its changes
 * do, so it never sees one half done. Closing releases the opened mirror.
 */
public final class MirrorListing implements AutoCloseable {

    /** Takes the entries of a walk one by one. */
    @FunctionalInterface
    interface EntrySink {
        void accept(MirrorEntry entry) throws IOException;
    }

    private final String name;
    private final ConfinedDir mirror;
    private final boolean checksum;
    private final Object lock;

    /** The listing of {@code mirror} ({@code null}: it does not exist yet, no entries), walked under {@code lock}. */
    MirrorListing(String name, ConfinedDir mirror, boolean checksum, Object lock) {
        this.name = name;
        this.mirror = mirror;
        this.checksum = checksum;
        this.lock = lock;
    }

    /** Writes the whole answer to {@code out} (flushed, not closed). */
    public void write(OutputStream out) throws IOException {
        ListingJson json = ListingJson.begin(out, java.util.Collections.singletonMap("name", name));
        if (mirror != null) {
            synchronized (lock) {
                walk(mirror.self(), checksum, json::entry);
            }
        }
        json.end();
    }

    @Override
    public void close() throws IOException {
        if (mirror != null) {
            mirror.close();
        }
    }

    /** Gives every entry below {@code mirror} to {@code sink}, in the walk's order. */
    static void walk(Path mirror, boolean checksum, EntrySink sink) throws IOException {
        if (!Files.isDirectory(mirror, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        byte[] buffer = checksum ? new byte[256 * 1024] : null;
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
                MirrorEntry entry;
                try {
                    entry = entry(mirror.relativize(path).toString(), path, type, checksum, buffer);
                } catch (NoSuchFileException e) {
                    return; // removed while listing: it is simply not there
                }
                sink.accept(entry);
            }
        });
    }

    private static MirrorEntry entry(String relative, Path path, String type, boolean checksum, byte[] buffer)
            throws IOException {
        if (type.equals("link")) {
            return MirrorEntry.link(relative, Files.readSymbolicLink(path).toString());
        }
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new MirrorEntry(relative, type, null, type.equals("file") ? attrs.size() : 0L,
                attrs.lastModifiedTime().toInstant().toEpochMilli(), // floored, as the source lists it
                PosixModes.fromPermissions(attrs.permissions()),
                checksum && type.equals("file") ? sha256(path, buffer) : null);
    }

    static String sha256(Path file, byte[] buffer) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return Sha256.of(in, buffer);
        }
    }
}
