package io.caravan.receiver;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SHA-256 → published file, for every file the receiver published above the dedup threshold. Kept
 * in memory and appended to {@code dedup.tsv}; an entry whose file was since changed (size or
 * mtime differ) or removed is dropped when looked up, so a hit always names intact content.
 */
public final class DedupIndex {

    /** A stored file: its path relative to the inbox, size and mtime when indexed. */
    public record StoredFile(String sha256, String path, long size, long mtimeMillis) {
    }

    private final Path inbox;
    private final Path logFile;
    private final Map<String, StoredFile> bySha = new ConcurrentHashMap<>();

    public DedupIndex(Path inbox, Path logFile) throws IOException {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.logFile = logFile;
        if (Files.isRegularFile(logFile)) {
            for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", 4);
                if (f.length == 4) {
                    bySha.put(f[0], new StoredFile(f[0], f[3], Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            }
        }
    }

    /** The intact stored file with this content, if any. */
    public Optional<StoredFile> find(String sha256) {
        StoredFile file = bySha.get(sha256);
        if (file == null) {
            return Optional.empty();
        }
        Path path = inbox.resolve(file.path());
        try {
            if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && Files.size(path) == file.size()
                    && Files.getLastModifiedTime(path).toMillis() == file.mtimeMillis()) {
                return Optional.of(file);
            }
        } catch (IOException e) {
            // fall through: treat as gone
        }
        bySha.remove(sha256, file);
        return Optional.empty();
    }

    public Path resolve(StoredFile file) {
        return inbox.resolve(file.path());
    }

    /** Indexes published files: path → sha256. */
    public synchronized void record(List<Map.Entry<Path, String>> files) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        try (BufferedWriter out = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (Map.Entry<Path, String> e : files) {
                Path path = e.getKey();
                StoredFile stored = new StoredFile(e.getValue(), inbox.relativize(path.toAbsolutePath().normalize()).toString(),
                        Files.size(path), Files.getLastModifiedTime(path).toMillis());
                bySha.put(stored.sha256(), stored);
                out.write(stored.sha256() + "\t" + stored.size() + "\t" + stored.mtimeMillis() + "\t" + stored.path() + "\n");
            }
        }
    }
}
