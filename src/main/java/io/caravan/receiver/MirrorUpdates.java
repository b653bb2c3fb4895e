package io.caravan.receiver;

import io.caravan.dedup.ContentIndex;
import io.caravan.sync.MirrorChangeRequest;
import io.caravan.sync.MirrorChangesDone;
import io.caravan.sync.MirrorEntries;
import io.caravan.sync.Mirrors;
import java.io.IOException;
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
    public MirrorEntries list(String name, boolean checksum) throws IOException {
        return mirrors.list(name, checksum);
    }

    /** Renames and deletions inside the mirror, every path checked by {@link Mirrors} before anything changes. */
    public MirrorChangesDone change(String name, MirrorChangeRequest changes) throws IOException {
        MirrorChangesDone done = mirrors.changes(name, changes);
        dedup.forget(mirrors.path(name));
        LOG.info("mirror '{}': renamed {}, deleted {}, skipped {}", name, done.renamed(), done.deleted(), done.skipped());
        return done;
    }
}
