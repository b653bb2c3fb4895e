package io.caravan.sync;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mirrors of a receiver ({@code <inbox>/<name>}): listing, renames and deletions, and applying
 * extracted parcels. Work on one mirror is serialised, so parallel parcels and changes of one
 * sender never interleave inside it; different mirrors proceed in parallel. What a change replaces
 * or removes is kept in the versions area.
 */
public final class Mirrors {

    private final Path inbox;
    private final Versions versions;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public Mirrors(Path inbox, Versions versions) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.versions = versions;
    }

    /**
     * {@code GET /mirror}: the listing of the mirror {@code name} (no entries when it does not exist yet),
     * to be written and then closed; a bad name is refused here, before anything is answered.
     */
    public MirrorListing listing(String name, boolean checksum) throws IOException {
        synchronized (lock(name)) {
            return new MirrorListing(name, MirrorPaths.openIfExists(inbox, name), checksum, lock(name));
        }
    }

    /**
     * {@code POST /mirror/changes}: the renames, then the deletions of {@code request} inside the mirror {@code name};
     * a mirror that does not exist is not created (every change is skipped).
     */
    public MirrorChangesDone changes(String name, MirrorChangeRequest request) throws IOException {
        synchronized (lock(name)) {
            try (ConfinedDir mirror = MirrorPaths.openIfExists(inbox, name)) {
                return MirrorChanges.apply(mirror, versions.batch(), request);
            }
        }
    }

    /** Applies an extracted parcel onto the mirror {@code name}. */
    public MirrorApply.Result apply(String name, Path staging) throws IOException {
        synchronized (lock(name)) {
            try (ConfinedDir mirror = MirrorPaths.open(inbox, name, true)) {
                return MirrorApply.apply(staging, mirror, versions.batch());
            }
        }
    }

    public Path path(String name) {
        return inbox.resolve(name);
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name == null ? "" : name, m -> new Object());
    }
}
