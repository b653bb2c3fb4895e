package io.caravan.sender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.util.FileIdentity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHA-256 of files the sender has packed, keyed by path and file identity (device, inode, size,
 * mtime, ctime) as git's index and restic do, so a later send can ask the receiver about them
 * without reading them again. Any change to a file misses, also one made in place with its size
 * and mtime put back; a hash is only kept when the file had not changed for a moment before it
 * was read ({@link FileIdentity#settledBefore}). Appended to {@code hashes.jsonl}, one JSON object
 * per line, so no file name can break it; a damaged line is skipped.
 */
public final class HashCache {

    private static final Logger LOG = LoggerFactory.getLogger(HashCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private record Entry(FileIdentity identity, String sha256) {
    }

    private final Path file;
    private final Map<String, Entry> hashes = new ConcurrentHashMap<>();

    /** The cache kept in {@code stateDir}; the tab-separated cache of earlier releases is dropped. */
    public static HashCache in(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Files.deleteIfExists(stateDir.resolve("hashes.tsv"));
        return new HashCache(stateDir.resolve("hashes.jsonl"));
    }

    public HashCache(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        if (!Files.isRegularFile(file)) {
            return;
        }
        long skipped = 0;
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (!load(line)) {
                    skipped++;
                }
            }
        } catch (IOException e) {
            LOG.warn("hash cache {} cannot be read to its end ({}); files not read are hashed again", file, e.getMessage());
        }
        if (skipped > 0) {
            LOG.warn("hash cache {}: {} damaged lines skipped; those files are hashed again", file, skipped);
        }
    }

    private boolean load(String line) {
        if (line.isBlank()) {
            return true;
        }
        try {
            JsonNode node = JSON.readTree(line);
            for (String field : List.of("dev", "ino", "size", "mtime_ns", "ctime_ns")) {
                if (!node.path(field).isIntegralNumber()) {
                    return false;
                }
            }
            String sha = node.path("sha256").asText("");
            if (!node.path("path").isTextual() || !SHA256.matcher(sha).matches()) {
                return false;
            }
            FileIdentity identity = new FileIdentity(node.path("dev").asLong(), node.path("ino").asLong(),
                    node.path("size").asLong(), node.path("mtime_ns").asLong(), node.path("ctime_ns").asLong());
            hashes.put(node.path("path").asText(), new Entry(identity, sha));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The hash of {@code path} if it was hashed in exactly this state. */
    public Optional<String> get(Path path, FileIdentity identity) {
        Entry entry = hashes.get(key(path));
        return entry != null && entry.identity().equals(identity) ? Optional.of(entry.sha256()) : Optional.empty();
    }

    /**
     * Remembers the hash of {@code path} read in the state {@code identity}, seen at {@code seenMillis}
     * (before the read); not kept when the file changed too shortly before to be sure the read saw it whole.
     */
    public synchronized void put(Path path, FileIdentity identity, long seenMillis, String sha256) {
        if (!identity.settledBefore(seenMillis)) {
            return;
        }
        String key = key(path);
        Entry entry = new Entry(identity, sha256);
        if (entry.equals(hashes.put(key, entry))) {
            return;
        }
        ObjectNode line = JSON.createObjectNode().put("path", key).put("dev", identity.dev()).put("ino", identity.ino())
                .put("size", identity.size()).put("mtime_ns", identity.mtimeNanos()).put("ctime_ns", identity.ctimeNanos())
                .put("sha256", sha256);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a cache: losing an entry costs one later re-send, never correctness
        }
    }

    private static String key(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }
}
