package io.caravan.unpack;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    public Path dir() {
        return dir;
    }

    /** Publishes every top-level entry into the destination under its own name, and removes the staging folder. */
    public List<Path> publish(Versions versions, Publisher.Policy policy) throws IOException {
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
     * Deletes a tree without following a link anywhere in it: the folder above {@code root} is opened (a
     * trusted path) and everything below is reached through open folders ({@link ConfinedDir#deleteTree}),
     * so a link, as {@code root} or inside it, or swapped in for a folder meanwhile, is removed as a link and
     * what it points to is neither changed nor deleted. Read-only folders of the tree are made writable
     * first; entries that vanish during the walk are skipped, and a folder that gains one meanwhile is walked again.
     */
    public static void deleteTree(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        if (absolute.getParent() == null || !Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try (ConfinedDir parent = ConfinedDir.open(absolute.getParent())) {
                parent.deleteTree(absolute.getFileName().toString());
                return;
            } catch (NoSuchFileException vanished) {
                // a folder of the tree removed by someone else meanwhile: walk what is left, if anything
                if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                    return;
                }
                if (attempt == 3) {
                    throw vanished;
                }
            }
        }
    }
}
