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
 *
 * <p>A hash is either taken here or <em>vouched for</em> by a receiver (a file sent as its own bytes is
 * hashed whole by the receiver only): a vouched hash is answered only for that receiver
 * ({@link #get(Path, FileIdentity, String)}), so a receiver that lies about it can mislead only its own
 * references, and it never replaces a hash taken here of the same state.
 */
public final class HashCache {

    private static final Logger LOG = LoggerFactory.getLogger(HashCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** A hash of {@code identity}; {@code vouchedBy}: the receiver that gave it, null when taken here. */
    private record Entry(FileIdentity identity, String sha256, String vouchedBy) {
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
            JsonNode vouched = node.path("vouched_by");
            if (!vouched.isMissingNode() && !vouched.isTextual()) {
                return false;
            }
            hashes.put(node.path("path").asText(), new Entry(identity, sha, vouched.isTextual() ? vouched.asText() : null));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The hash of {@code path} if it was hashed here in exactly this state. */
    public Optional<String> get(Path path, FileIdentity identity) {
        return get(path, identity, null);
    }

    /**
     * The hash of {@code path} in exactly this state, taken here or vouched for by {@code receiver}
     * (its URL; null: taken here only).
     */
    public Optional<String> get(Path path, FileIdentity identity, String receiver) {
        Entry entry = hashes.get(key(path));
        if (entry == null || !entry.identity().equals(identity)
                || entry.vouchedBy() != null && !entry.vouchedBy().equals(receiver)) {
            return Optional.empty();
        }
        return Optional.of(entry.sha256());
    }

    /**
     * Remembers the hash of {@code path} read in the state {@code identity}, seen at {@code seenMillis}
     * (before the read); not kept when the file changed too shortly before to be sure the read saw it whole.
     */
    public void put(Path path, FileIdentity identity, long seenMillis, String sha256) {
        put(path, new Entry(identity, sha256, null), seenMillis);
    }

    /**
     * Remembers the hash {@code receiver} (its URL) gave of {@code path} in the state {@code identity},
     * answered for that receiver only; a hash taken here of the same state is kept instead.
     */
    public void putVouched(Path path, FileIdentity identity, long seenMillis, String sha256, String receiver) {
        put(path, new Entry(identity, sha256, receiver), seenMillis);
    }

    private synchronized void put(Path path, Entry entry, long seenMillis) {
        FileIdentity identity = entry.identity();
        if (!identity.settledBefore(seenMillis)) {
            return;
        }
        String key = key(path);
        Entry before = hashes.get(key);
        if (entry.equals(before)
                || entry.vouchedBy() != null && before != null && before.vouchedBy() == null && before.identity().equals(identity)) {
            return;
        }
        hashes.put(key, entry);
        ObjectNode line = JSON.createObjectNode().put("path", key).put("dev", identity.dev()).put("ino", identity.ino())
                .put("size", identity.size()).put("mtime_ns", identity.mtimeNanos()).put("ctime_ns", identity.ctimeNanos())
                .put("sha256", entry.sha256());
        if (entry.vouchedBy() != null) {
            line.put("vouched_by", entry.vouchedBy());
        }
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
