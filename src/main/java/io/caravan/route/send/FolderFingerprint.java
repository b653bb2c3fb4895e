package io.caravan.route.send;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a folder holds, as a SHA-256 over its entries in name order (relative path, kind, size,
 * modification time to the nanosecond, file key, a link's target), read without following links: two
 * fingerprints differ when an entry was added, removed, renamed, written to or replaced between them.
 * Memory is one folder's names at a time, whatever the tree's size. It tells whether a folder changed
 * while it was sent; it is not a content hash (a write that puts size and mtime back is not seen).
 */
final class FolderFingerprint {

    private FolderFingerprint() {
    }

    /** The fingerprint of {@code folder} now; null when it is no longer a folder. */
    static byte[] of(Path folder) throws IOException {
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        MessageDigest digest = sha256();
        walk(folder, "", digest);
        return digest.digest();
    }

    private static void walk(Path dir, String prefix, MessageDigest digest) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(children::add);
        }
        children.sort(null);
        for (Path child : children) {
            String relative = prefix + child.getFileName();
            BasicFileAttributes attrs = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String kind = attrs.isDirectory() ? "d" : attrs.isSymbolicLink() ? "l" : attrs.isRegularFile() ? "f" : "o";
            String line = relative + '\0' + kind + '\0' + attrs.size() + '\0'
                    + attrs.lastModifiedTime().toInstant() + '\0' + Objects.toString(attrs.fileKey())
                    + (attrs.isSymbolicLink() ? '\0' + Files.readSymbolicLink(child).toString() : "") + '\n';
            digest.update(line.getBytes(StandardCharsets.UTF_8));
            if (attrs.isDirectory()) {
                walk(child, relative + "/", digest);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
