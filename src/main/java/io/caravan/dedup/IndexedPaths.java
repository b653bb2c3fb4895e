package io.caravan.dedup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Paths of the dedup index: relative to the inbox, '/'-separated, without empty, {@code .} or
 * {@code ..} segments, never under the receiver's state or staging ({@code .caravan*}), and
 * resolved only through real folders, so an entry can never name a file outside the inbox, even
 * when a folder on its way was since replaced by a symlink.
 */
final class IndexedPaths {

    private IndexedPaths() {
    }

    /** Whether {@code path} has the form of an index path (nothing on disk is looked at). */
    static boolean valid(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.startsWith(".caravan")) {
                return false;
            }
        }
        return true;
    }

    /** The index path of {@code file} (absolute, or relative to the inbox), or null when it is not a valid one inside the inbox. */
    static String of(Path inbox, Path file) {
        Path absolute = inbox.resolve(file).toAbsolutePath().normalize();
        if (!absolute.startsWith(inbox) || absolute.equals(inbox)) {
            return null;
        }
        String path = inbox.relativize(absolute).toString();
        return valid(path) ? path : null;
    }

    /**
     * The file an index path names, when every folder above it is a real folder (not a symlink);
     * null otherwise. The last segment is not looked at: callers read it without following links.
     */
    static Path resolve(Path inbox, String path) throws IOException {
        if (!valid(path)) {
            return null;
        }
        Path current = inbox;
        String[] segments = path.split("/");
        for (int i = 0; i < segments.length - 1; i++) {
            current = current.resolve(segments[i]);
            try {
                BasicFileAttributes attributes = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!attributes.isDirectory() || attributes.isSymbolicLink()) {
                    return null;
                }
            } catch (NoSuchFileException e) {
                return null;
            }
        }
        return current.resolve(segments[segments.length - 1]);
    }
}
