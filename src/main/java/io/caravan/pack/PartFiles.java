package io.caravan.pack;

import java.nio.file.Path;

/** Names of a part set on disk: {@code <prefix>.part0000}, … and {@code <prefix>.manifest.json}. */
public final class PartFiles {

    public static final String MANIFEST_SUFFIX = ".manifest.json";
    public static final String TEMP_SUFFIX = ".partial";

    private PartFiles() {
    }

    public static Path part(Path prefix, int index) {
        return prefix.resolveSibling(prefix.getFileName() + ".part" + ChunkInfo.label(index));
    }

    public static Path manifest(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + MANIFEST_SUFFIX);
    }

    public static Path temp(Path file) {
        return file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
    }

    /** The prefix a path names: itself, or the path without {@code .manifest.json} / {@code .partNNNN}. */
    public static Path prefixOf(Path path) {
        String name = path.getFileName().toString();
        if (name.endsWith(MANIFEST_SUFFIX)) {
            return path.resolveSibling(name.substring(0, name.length() - MANIFEST_SUFFIX.length()));
        }
        if (name.matches(".*\\.part\\d{4,}")) {
            return path.resolveSibling(name.substring(0, name.lastIndexOf(".part")));
        }
        return path;
    }
}
