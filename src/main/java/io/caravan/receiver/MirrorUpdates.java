package io.caravan.receiver;

import io.caravan.catalog.ParcelCatalog;
import io.caravan.dedup.ContentIndex;
import io.caravan.sync.MirrorChangeRequest;
import io.caravan.sync.MirrorChangesDone;
import io.caravan.sync.MirrorListing;
import io.caravan.sync.Mirrors;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /mirror} and {@code POST /mirror/changes}: a mirror's entries, and the renames and
 * deletions a sync asks for inside it. After a change the content index no longer vouches for
 * anything inside the mirror until it has hashed it again, and every catalog parcel that holds the
 * mirror or lies inside it has a new generation (so a download packs its new state).
 */
public final class MirrorUpdates {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorUpdates.class);

    private final Mirrors mirrors;
    private final ContentIndex dedup;
    private volatile ParcelCatalog catalog;

    MirrorUpdates(Mirrors mirrors, ContentIndex dedup) {
        this.mirrors = mirrors;
        this.dedup = dedup;
    }

    /** Marks the catalog's parcels around every mirror changed from now on as changed. */
    void catalog(ParcelCatalog catalog) {
        this.catalog = catalog;
    }

    /** The listing of the mirror's entries (none when it does not exist yet), to be written and then closed. */
    public MirrorListing listing(String name, boolean checksum) throws IOException {
        return mirrors.listing(name, checksum);
    }

    /** Renames and deletions inside the mirror, every path checked by {@link Mirrors} before anything changes. */
    public MirrorChangesDone change(String name, MirrorChangeRequest changes) throws IOException {
        MirrorChangesDone done = mirrors.changes(name, changes);
        dedup.forget(mirrors.path(name));
        recordChange(name);
        LOG.info("mirror '{}': renamed {}, deleted {}, skipped {}", name, done.renamed(), done.deleted(), done.skipped());
        return done;
    }

    private void recordChange(String name) {
        ParcelCatalog target = catalog;
        if (target == null) {
            return;
        }
        try {
            target.changed(mirrors.path("").relativize(mirrors.path(name)).toString()); // as the catalog names it
        } catch (IOException | RuntimeException e) {
            LOG.warn("mirror '{}' changed but the catalog could not be told: downloads of it may serve its former"
                    + " state until it is published again: {}", name, e.toString());
        }
    }
}
