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
    /** This host's name as staging folders hold it (letters, digits, '.' and '-'; "localhost" when it has none). */
    static final String HOST = hostName();
    /** Who fills a staging folder: this host and process. */
    private static final String OWNER = HOST + "." + ProcessHandle.current().pid();

    private static String hostName() {
        String name;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            name = "";
        }
        name = name.replaceAll("[^A-Za-z0-9.-]", "_");
        return name.isEmpty() ? "localhost" : name.substring(0, Math.min(64, name.length()));
    }

    private final Path destination;
    private final Path dir;
    private boolean published;

    private Staging(Path destination, Path dir) {
        this.destination = destination;
        this.dir = dir;
    }

    /**
     * A new staging folder in {@code destination}, named {@code .caravan-staging-<host>.<pid>-<random>} after this
     * process; the staging folders there of processes of this host that are gone (stopped mid-way by a signal or
     * kill -9, their partial data hidden in the destination) are removed first, without following a link. Those
     * of other hosts (a shared file system) are left alone: whether their process runs cannot be seen from here.
     */
    public static Staging create(Path destination) throws IOException {
        Path dest = destination.toAbsolutePath().normalize();
        Files.createDirectories(dest);
        removeLeftByGoneProcesses(dest);
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        // owner-only until published, so nobody else can plant links in it while it is filled
        return new Staging(dest, Files.createDirectory(dest.resolve(PREFIX + OWNER + "-" + HexFormat.of().formatHex(id)),
                PosixFilePermissions.asFileAttribute(PosixModes.toPermissions(0700))));
    }

    /** Removes the staging folders in {@code dest} named after a process that no longer runs. */
    private static void removeLeftByGoneProcesses(Path dest) throws IOException {
        List<Path> left = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dest, PREFIX + "*")) {
            for (Path entry : entries) {
                String rest = entry.getFileName().toString().substring(PREFIX.length());
                int dash = rest.lastIndexOf('-');
                int dot = dash < 0 ? -1 : rest.lastIndexOf('.', dash);
                if (dot > 0 && rest.substring(0, dot).equals(HOST)) {
                    String pid = rest.substring(dot + 1, dash);
                    if (!pid.isEmpty() && pid.length() < 10 && pid.chars().allMatch(c -> c >= '0' && c <= '9')
                            && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                        left.add(entry);
                    }
                }
            }
        }
        for (Path entry : left) {
            deleteTree(entry);
        }
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
