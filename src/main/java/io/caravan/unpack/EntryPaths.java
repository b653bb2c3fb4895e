package io.caravan.unpack;

import java.nio.file.Path;

/** Maps an archive entry name onto a path inside the extraction root, refusing any way out. */
final class EntryPaths {

    private EntryPaths() {
    }

    /** The path for {@code name} under {@code root}; {@code root} itself for {@code ./}. */
    static Path resolve(Path root, String name) {
        if (name.indexOf('\0') >= 0) {
            throw new UnsafeEntryException(name, "the name contains a NUL byte");
        }
        if (name.startsWith("/")) {
            throw new UnsafeEntryException(name, "absolute paths are not extracted");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw new UnsafeEntryException(name, "the name contains '..'");
            }
        }
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root)) {
            throw new UnsafeEntryException(name, "the name points outside the destination");
        }
        return path;
    }

    /** The entry's name relative to the root, for messages. */
    static String display(Path root, Path path) {
        return root.relativize(path).toString();
    }
}
