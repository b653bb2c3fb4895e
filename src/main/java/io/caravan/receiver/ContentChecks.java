package io.caravan.receiver;

import io.caravan.dedup.ContentIndex;
import io.caravan.session.RequestRejectedException;
import io.caravan.unpack.ExtractHooks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /check}: which contents the receiver already holds, by SHA-256, so a sender can
 * send a reference instead of the bytes; and the same store for the extraction of reference
 * entries. Answers only with files whose content the index still vouches for.
 */
public final class ContentChecks {

    private final ContentIndex dedup;
    private final long reportFilesFrom;

    ContentChecks(ContentIndex dedup, long reportFilesFrom) {
        this.dedup = dedup;
        this.reportFilesFrom = reportFilesFrom;
    }

    /** The stored file with that content, if any; {@code sha256} must be 64 hex digits. */
    public Optional<StoredContent> find(String sha256) {
        if (sha256 == null || !sha256.matches("[0-9a-fA-F]{64}")) {
            throw RequestRejectedException.badRequest("h must be a SHA-256 in hex (64 digits)");
        }
        return dedup.find(sha256.toLowerCase(Locale.ROOT)).map(f -> new StoredContent(f.sha256(), f.path(), f.size()));
    }

    /** Each of {@code hashes}, found or missing, in the order asked. */
    public ContentFound findAll(List<String> hashes) {
        Map<String, StoredContent> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String hash : hashes) {
            Optional<StoredContent> hit = find(hash);
            if (hit.isPresent()) {
                found.put(hash, hit.get());
            } else {
                missing.add(hash);
            }
        }
        return new ContentFound(found, missing);
    }

    /** The content store for reference entries: stored files by hash. */
    ExtractHooks hooks() {
        return new ExtractHooks() {
            @Override
            public boolean materialise(String sha256, long size, Path target, StoredFileCheck mayLink) throws IOException {
                return dedup.materialise(sha256, size, target, mayLink);
            }

            @Override
            public long reportFilesFrom() {
                return reportFilesFrom;
            }

            @Override
            public boolean hashReportedFiles() {
                return false; // indexed after the publish, off its path (ContentIndex)
            }
        };
    }
}
