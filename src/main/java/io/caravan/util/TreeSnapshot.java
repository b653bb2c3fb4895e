package io.caravan.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A comparable description of a folder tree, entry by entry: type, permissions, mtime (seconds),
 * size, SHA-256 of files and target of links. Two trees are equal when their snapshots are.
 */
public final class TreeSnapshot {

    /** One entry; {@code mtime} is null for links, whose times are not compared. */
    public record Entry(String type, String permissions, Long mtime, long size, String sha256, String link) {
    }

    private final Map<String, Entry> entries;

    private TreeSnapshot(Map<String, Entry> entries) {
        this.entries = entries;
    }

    public static TreeSnapshot of(Path root) throws IOException {
        Map<String, Entry> entries = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    entries.put(name(dir) + "/", entry(dir, "dir"));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                entries.put(name(file), entry(file, attrs.isSymbolicLink() ? "link" : attrs.isRegularFile() ? "file" : "other"));
                return FileVisitResult.CONTINUE;
            }

            private String name(Path path) {
                return root.relativize(path).toString();
            }
        });
        return new TreeSnapshot(entries);
    }

    private static Entry entry(Path path, String type) throws IOException {
        if (type.equals("link")) {
            return new Entry(type, null, null, 0, null, Files.readSymbolicLink(path).toString());
        }
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        long mtime = attrs.lastModifiedTime().toMillis() / 1000;
        String permissions = PosixFilePermissions.toString(attrs.permissions());
        if (type.equals("file")) {
            return new Entry(type, permissions, mtime, attrs.size(), sha256(path), null);
        }
        return new Entry(type, permissions, mtime, 0, null, null);
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Sha256.of(in, new byte[256 * 1024]);
        }
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** Human-readable differences with {@code other}, empty when the trees are identical. */
    public List<String> differences(TreeSnapshot other) {
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry theirs = other.entries.get(e.getKey());
            if (theirs == null) {
                diffs.add("missing: " + e.getKey());
            } else if (!Objects.equals(e.getValue(), theirs)) {
                diffs.add("differs: " + e.getKey() + " " + e.getValue() + " vs " + theirs);
            }
        }
        other.entries.keySet().stream().filter(k -> !entries.containsKey(k)).forEach(k -> diffs.add("extra: " + k));
        return diffs;
    }
}
