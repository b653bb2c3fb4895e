package io.caravan;

import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Random;

/** Builds the trees the tests pack: every case of tar fidelity in one folder. */
public final class TestTrees {

    public static final FileTime OLD = FileTime.from(Instant.parse("2021-03-04T05:06:07Z"));

    private TestTrees() {
    }

    /**
     * A folder named {@code name} under {@code parent} with Unicode, space and punctuation names, a
     * path longer than 100 bytes, an empty file and folder, several modes and mtimes, a symlink, a
     * hard link pair and a FIFO (which packing skips).
     */
    public static Path fidelityTree(Path parent, String name) throws IOException {
        Path root = Files.createDirectories(parent.resolve(name));
        write(root.resolve("plain.txt"), "hello caravan\n".repeat(100));
        write(root.resolve("中文 文件.txt"), "中文内容\n".repeat(50));
        write(root.resolve("فارسی.txt"), "سلام\n".repeat(50));
        write(root.resolve("한국어 파일.md"), "안녕하세요\n".repeat(50));
        write(root.resolve("sym #%&'() bols.txt"), "punctuation\n");
        Files.createFile(root.resolve("empty.txt"));
        Files.createDirectories(root.resolve("empty folder"));
        Path deep = root.resolve("a-fairly-long-folder-name-number-one/a-fairly-long-folder-name-number-two");
        Files.createDirectories(deep);
        Path longFile = deep.resolve("and-a-long-file-name-" + "x".repeat(100) + ".bin");
        random(longFile, 300_000, 1);
        Path script = root.resolve("bin/run.sh");
        Files.createDirectories(script.getParent());
        write(script, "#!/bin/sh\necho run\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Path secret = root.resolve("secret.key");
        write(secret, "key\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(root.resolve("link-to-plain"), Path.of("plain.txt"));
        Files.createSymbolicLink(root.resolve("bin/link-up"), Path.of("../中文 文件.txt"));
        Files.createLink(root.resolve("hard-link.txt"), root.resolve("plain.txt"));
        random(root.resolve("random.bin"), 200_000, 2);
        for (Path p : new Path[] {root.resolve("plain.txt"), secret, longFile, root.resolve("empty.txt")}) {
            Files.setLastModifiedTime(p, OLD);
        }
        Path locked = root.resolve("locked");
        Files.createDirectories(locked);
        write(locked.resolve("inside.txt"), "read-only folder\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setLastModifiedTime(root.resolve("empty folder"), OLD);
        return root;
    }

    /** Adds a FIFO to a tree; packing must skip it with a warning. */
    public static Path addFifo(Path root) throws IOException, InterruptedException {
        Path fifo = root.resolve("pipe.fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("mkfifo failed");
        }
        return fifo;
    }

    /**
     * Two versions of a folder {@code top}, under {@code dir/v1/top} and {@code dir/v2/top}: both hold {@code a.txt}
     * ("OLD", "NEW"); {@code z/m} is a folder holding {@code keep.txt} in the first and a file in the second, so a
     * merge of the second over the first meets a change of type below a file it would replace first.
     */
    public static void typeChangeBelowAFile(Path dir) throws IOException {
        Path older = Files.createDirectories(dir.resolve("v1/top/z/m"));
        write(dir.resolve("v1/top/a.txt"), "OLD\n");
        write(older.resolve("keep.txt"), "keep\n");
        Path newer = Files.createDirectories(dir.resolve("v2/top/z"));
        write(dir.resolve("v2/top/a.txt"), "NEW\n");
        write(newer.resolve("m"), "a file where a folder was\n");
    }

    /** Writes one regular file entry (mode 644) holding {@code content} into a tar stream. */
    public static void tarFile(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, String name,
                               byte[] content) throws IOException {
        org.apache.commons.compress.archivers.tar.TarArchiveEntry entry =
                new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name, true);
        entry.setSize(content.length);
        entry.setMode(0100644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    public static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    public static void random(Path file, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += buffer.length) {
                random.nextBytes(buffer);
                out.write(buffer, 0, (int) Math.min(buffer.length, size - done));
            }
        }
    }

    /** Relative path to "file:<SHA-256>", "link:<target>" or "dir" for every entry below {@code root} (links not followed). */
    public static java.util.Map<String, String> describe(Path root) throws IOException {
        java.util.Map<String, String> entries = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    entries.put(rel, "link:" + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(rel, "dir");
                } else {
                    byte[] bytes = Files.readAllBytes(p);
                    entries.put(rel, "file:" + Sha256.of(bytes, 0, bytes.length));
                }
            }
        }
        return entries;
    }

    /** The contents of every kept version of {@code relative} under {@code <local>/.caravan/versions}. */
    public static java.util.List<String> keptVersions(Path local, String relative) throws java.io.IOException {
        Path area = local.resolve(".caravan/versions");
        if (!Files.isDirectory(area)) {
            return java.util.List.of();
        }
        try (var folders = Files.list(area)) {
            java.util.List<String> kept = new java.util.ArrayList<>();
            for (Path folder : folders.sorted().toList()) {
                Path file = folder.resolve(relative);
                if (Files.isRegularFile(file)) {
                    kept.add(Files.readString(file));
                }
            }
            return kept;
        }
    }

    /** The file's text, for use in lambdas. */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
