package io.caravan.sender;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SHA-256 of files the sender has packed, keyed by path, size and mtime, so a later send can ask
 * the receiver about them without reading them again. Appended to a TSV file; a changed file
 * simply misses (its size or mtime differ).
 */
public final class HashCache {

    private record Key(String path, long size, long mtimeMillis) {
    }

    private final Path file;
    private final Map<Key, String> hashes = new ConcurrentHashMap<>();

    public HashCache(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", 4);
                if (f.length == 4) {
                    hashes.put(new Key(f[3], Long.parseLong(f[0]), Long.parseLong(f[1])), f[2]);
                }
            }
        }
    }

    public Optional<String> get(Path path, long size, long mtimeMillis) {
        return Optional.ofNullable(hashes.get(new Key(path.toAbsolutePath().normalize().toString(), size, mtimeMillis)));
    }

    public synchronized void put(Path path, long size, long mtimeMillis, String sha256) {
        Key key = new Key(path.toAbsolutePath().normalize().toString(), size, mtimeMillis);
        if (sha256.equals(hashes.put(key, sha256))) {
            return;
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write(size + "\t" + mtimeMillis + "\t" + sha256 + "\t" + key.path() + "\n");
        } catch (IOException e) {
            // a cache: losing an entry costs one later re-send, never correctness
        }
    }
}
