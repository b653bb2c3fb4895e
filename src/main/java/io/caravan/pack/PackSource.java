package io.caravan.pack;

import io.caravan.CaravanException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A file or folder to pack and the name it gets in the archive (by default its own file name). A
 * folder is packed with everything below it unless {@code recursive} is false (then only the
 * folder entry itself: mirroring sends chosen entries of a tree by their relative paths). A
 * {@code confined} source's folders are read through their open descriptors, never through a link
 * swapped in for one while it is packed ({@link TarTreeWriter#write(io.caravan.fs.ConfinedDir, String, String, java.io.OutputStream)}):
 * for trees Caravan serves, such as a published folder packed into the chunks a client downloads.
 */
public record PackSource(Path path, String name, boolean recursive, boolean confined) {

    public PackSource(Path path, String name, boolean recursive) {
        this(path, name, recursive, false);
    }

    public PackSource(Path path, String name) {
        this(path, name, true);
    }

    /** {@code path} (whose folder is trusted, or reached through an open folder) as {@code name}, confined. */
    public static PackSource confined(Path path, String name) {
        return new PackSource(path, name, true, true);
    }

    /**
     * One entry of a tree, named by its path relative to {@code root}, without what is below it; confined: the
     * folders on that path are opened one by one without following a link when it is packed.
     */
    public static PackSource entry(Path root, String relativePath) {
        return new PackSource(root.resolve(relativePath).toAbsolutePath().normalize(), relativePath, false, true);
    }

    /** Checks that every source exists and that no two share a top-level name. */
    public static List<PackSource> of(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new CaravanException("nothing to pack: name at least one file or folder");
        }
        List<PackSource> sources = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            if (abs.getFileName() == null) {
                throw new CaravanException("cannot pack the file system root '" + p + "': name the folders inside it");
            }
            if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                throw new CaravanException("source not found: " + p);
            }
            String name = abs.getFileName().toString();
            if (!names.add(name)) {
                throw new CaravanException("two sources are both named '" + name + "': each source becomes a top-level"
                        + " entry, so pack them from different commands or rename one");
            }
            sources.add(new PackSource(abs, name));
        }
        return sources;
    }
}
