package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import io.caravan.unpack.PosixModes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Resolves paths a sender names inside a mirror so that nothing outside it can be reached: a
 * relative path without {@code .} or {@code ..} segments, whose every folder inside the mirror is a
 * real folder (never a symbolic link). The last segment itself may be a link (it is then acted on,
 * never followed).
 */
final class MirrorPaths {

    private MirrorPaths() {
    }

    /** The mirror root {@code <inbox>/<name>}; with {@code create}, missing folders are made. Refuses links on the way. */
    static Path root(Path inbox, String name, boolean create) throws IOException {
        ParcelNames.check(name);
        if (name == null) {
            throw RequestRejectedException.badRequest("name the mirror: ?name=<mirror>");
        }
        Path current = inbox.toAbsolutePath().normalize();
        for (String segment : name.split("/")) {
            current = current.resolve(segment);
            BasicFileAttributes attrs = attributes(current);
            if (attrs == null && create) {
                Files.createDirectory(current);
            } else if (attrs != null && (attrs.isSymbolicLink() || !attrs.isDirectory())) {
                throw new RequestRejectedException(409, "not_a_mirror", "'" + name + "' is not a folder in the inbox");
            }
        }
        return current;
    }

    /** {@code mirror/relative}, after checking the path and that no folder on the way is a link. */
    static Path resolve(Path mirror, String relative) throws IOException {
        check(relative);
        Path target = mirror.resolve(relative).normalize();
        if (!target.startsWith(mirror) || target.equals(mirror)) {
            throw unsafe(relative, "it is not inside the mirror");
        }
        for (Path p = target.getParent(); !p.equals(mirror); p = p.getParent()) {
            BasicFileAttributes attrs = attributes(p);
            if (attrs != null && !attrs.isDirectory()) {
                throw unsafe(relative, "'" + mirror.relativize(p) + "' is " + (attrs.isSymbolicLink() ? "a symbolic link" : "a file"));
            }
        }
        return target;
    }

    static void check(String relative) {
        if (relative == null || relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\0') >= 0) {
            throw unsafe(String.valueOf(relative), "it must be a relative path such as 'docs/a.txt'");
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw unsafe(relative, "it has a forbidden part '" + segment + "'");
            }
        }
    }

    /** Creates the missing folders between the mirror and {@code target}'s parent (checked by {@link #resolve}). */
    static void createParents(Path mirror, Path target) throws IOException {
        Path parent = target.getParent();
        if (!parent.equals(mirror) && attributes(parent) == null) {
            createParents(mirror, parent);
            Files.createDirectory(parent);
        }
    }

    /** Gives the owner write and search permission on a folder; returns its permissions before. */
    static Set<PosixFilePermission> makeWritable(Path dir) throws IOException {
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!before.contains(PosixFilePermission.OWNER_WRITE) || !before.contains(PosixFilePermission.OWNER_EXECUTE)) {
            Set<PosixFilePermission> writable = PosixModes.toPermissions(PosixModes.fromPermissions(before) | 0300);
            Files.setPosixFilePermissions(dir, writable);
        }
        return before;
    }

    static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static RequestRejectedException unsafe(String path, String why) {
        return RequestRejectedException.badRequest("path '" + path + "' refused: " + why + "; nothing was changed for it");
    }
}
