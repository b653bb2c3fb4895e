package io.caravan.sender;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.pack.PackHooks;
import io.caravan.util.FileIdentity;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which files travel as references: files of at least {@code minSize} whose hash the
 * sender already knows (from its {@link HashCache}: hashed here, or vouched for by this same receiver)
 * and the receiver reports as stored. The set of referenced hashes is kept in the journal so a
 * resumed upload packs exactly the same stream.
 */
public final class DedupPlan implements PackHooks {

    private final HashCache cache;
    private final long minSize;
    private final Set<String> references;
    /** The receiver's URL: hashes it vouched for are trusted for it alone. */
    private final String receiver;

    private DedupPlan(HashCache cache, long minSize, Set<String> references, String receiver) {
        this.cache = cache;
        this.minSize = minSize;
        this.references = references;
        this.receiver = receiver;
    }

    /** A plan for the receiver at {@code receiver} (URL) with a fixed set of referenced hashes (a resumed upload). */
    public static DedupPlan of(HashCache cache, long minSize, List<String> references, String receiver) {
        return new DedupPlan(cache, minSize, new HashSet<>(references), receiver);
    }

    /** Asks the receiver about every known large file under {@code source}. */
    public static DedupPlan ask(ReceiverClient client, HashCache cache, long minSize, Path source) throws IOException {
        List<String> known = new ArrayList<>();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && attrs.size() >= minSize) {
                    FileIdentity.ofRegularFile(file).flatMap(identity -> cache.get(file, identity, client.url())).ifPresent(known::add);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        Set<String> stored = new HashSet<>();
        for (int from = 0; from < known.size(); from += 1000) {
            JsonNode found = client.check(known.subList(from, Math.min(known.size(), from + 1000)));
            found.fieldNames().forEachRemaining(stored::add);
        }
        return new DedupPlan(cache, minSize, stored, client.url());
    }

    public List<String> references() {
        return List.copyOf(references);
    }

    @Override
    public Optional<String> reference(Path file, FileIdentity identity) {
        if (identity.size() < minSize) {
            return Optional.empty();
        }
        return cache.get(file, identity, receiver).filter(references::contains);
    }

    @Override
    public long hashFilesFrom() {
        return minSize;
    }

    @Override
    public void hashed(Path file, FileIdentity identity, long seenMillis, String sha256) {
        cache.put(file, identity, seenMillis, sha256);
    }

    /** A file sent as its own bytes, waiting for the receiver's SHA-256 of it. */
    private record Pending(Path file, FileIdentity identity, long seenMillis) {
    }

    private volatile Pending pending;

    @Override
    public void hashedByReceiver(Path file, FileIdentity identity, long seenMillis) {
        pending = new Pending(file, identity, seenMillis);
    }

    /** The receiver published the file sent as its own bytes with this SHA-256: remembered for references to that receiver. */
    public void receiverHashed(String sha256) {
        Pending file = pending;
        if (file != null && sha256 != null && sha256.matches("[0-9a-f]{64}")) {
            cache.putVouched(file.file(), file.identity(), file.seenMillis(), sha256, receiver);
            pending = null;
        }
    }
}
