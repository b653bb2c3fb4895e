package io.caravan.receiver;

import io.caravan.dedup.ContentIndex;
import io.caravan.sync.Mirrors;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /mirror} and {@code POST /mirror/changes}: a mirror's entries, and the renames and
 * deletions a sync asks for inside it. After a change the content index no longer vouches for
 * anything inside the mirror until it has hashed it again.
 */
public final class MirrorUpdates {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorUpdates.class);

    private final Mirrors mirrors;
    private final ContentIndex dedup;

    MirrorUpdates(Mirrors mirrors, ContentIndex dedup) {
        this.mirrors = mirrors;
        this.dedup = dedup;
    }

    /** The mirror's entries (empty when it does not exist yet). */
    public Map<String, Object> list(String name, boolean checksum) throws IOException {
        return mirrors.list(name, checksum);
    }

    /** Renames and deletions inside the mirror: {@code changes} as sent, parsed and checked by {@link Mirrors}. */
    public Map<String, Object> change(String name, String changes) throws IOException {
        Map<String, Object> answer = mirrors.changes(name, changes);
        dedup.forget(mirrors.path(name));
        LOG.info("mirror '{}': {}", name, answer);
        return answer;
    }
}
