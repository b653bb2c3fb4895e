package io.caravan.unpack;

import io.caravan.fs.NameRules;
import java.nio.file.Path;

/** Maps an archive entry name onto a path inside the extraction root, refusing any way out. */
final class EntryPaths {

    private EntryPaths() {
    }

    /** The path for {@code name} under {@code root}; {@code root} itself for {@code ./}. */
    static Path resolve(Path root, String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new UnsafeEntryException(name, problem);
        }
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root)) {
            throw new UnsafeEntryException(name, "the name points outside the destination");
        }
        return path;
    }

    /** The path a hard link entry {@code entry} points to; refusals name the entry. */
    static Path resolveLinkTarget(Path root, String entry, String linkName) {
        String problem = problem(linkName);
        Path path = root.resolve(linkName).normalize();
        if (problem == null && !path.startsWith(root)) {
            problem = "the name points outside the destination";
        }
        if (problem != null) {
            throw new UnsafeEntryException(entry, "it is a hard link to '" + linkName + "', and " + problem);
        }
        return path;
    }

    /**
     * The first rule {@code name} breaks, or null: no NUL, not absolute, no {@code ..} part, and every
     * other part follows {@link NameRules#segmentProblem} (no control character or backslash, at most
     * 255 bytes, not {@code .caravan} nor {@code .caravan-*}), at any depth. Empty and {@code .} parts
     * ({@code ./a}, {@code a//b}, a folder's trailing {@code /}) are skipped, as tar does: they name nothing.
     */
    private static String problem(String name) {
        if (name.indexOf('\0') >= 0) {
            return "the name contains a NUL byte";
        }
        if (name.startsWith("/")) {
            return "absolute paths are not extracted";
        }
        String[] segments = name.split("/");
        for (String segment : segments) {
            if (segment.equals("..")) {
                return "the name contains '..'";
            }
        }
        for (String segment : segments) {
            String problem = segment.isEmpty() || segment.equals(".") ? null : NameRules.segmentProblem(segment);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** The entry's name relative to the root, for messages. */
    static String display(Path root, Path path) {
        return root.relativize(path).toString();
    }
}
