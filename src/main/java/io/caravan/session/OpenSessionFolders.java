package io.caravan.session;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How many sessions' folders a disk store holds open at once (two descriptors each, {@link SessionFolder}):
 * at most {@link #bound()}, whatever the number of sessions. A folder in use is never let go, so while more
 * are in use than the bound all of them stay open; of the idle ones, the least recently used is let go first,
 * and opened again when next used. Its monitor guards the state of every {@link SessionFolder} it bounds.
 */
final class OpenSessionFolders {

    /** The most session folders held open by default: 128 descriptors. */
    static final int MOST = 64;
    /** The fewest, however low the process's descriptor limit. */
    static final int FEWEST = 4;

    private final int bound;
    /** Open folders no operation uses, least recently used first. */
    private final Set<SessionFolder> idle = new LinkedHashSet<>();
    private int open;

    OpenSessionFolders(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("at least one session folder must be held open, not " + bound);
        }
        this.bound = bound;
    }

    /**
     * The bound for a process allowed {@code maxDescriptors} (negative: unknown): a sixteenth of them as
     * session folders, two descriptors each, between {@link #FEWEST} and {@link #MOST} folders.
     */
    static OpenSessionFolders forLimit(long maxDescriptors) {
        long share = maxDescriptors < 0 ? MOST : maxDescriptors / 32;
        return new OpenSessionFolders((int) Math.max(FEWEST, Math.min(MOST, share)));
    }

    int bound() {
        return bound;
    }

    /** Called with this monitor held, before {@code folder} opens its folders: idle ones go while the bound is reached. */
    void opening() {
        letGoIdle(bound - 1);
        open++;
    }

    /** With this monitor held: {@code folder}'s folders were closed. */
    void closed(SessionFolder folder) {
        idle.remove(folder);
        open--;
    }

    /** With this monitor held: {@code folder} is used again. */
    void inUse(SessionFolder folder) {
        idle.remove(folder);
    }

    /** With this monitor held: no operation uses {@code folder} any more; the least recently used go past the bound. */
    void unused(SessionFolder folder) {
        idle.add(folder);
        letGoIdle(bound);
    }

    private void letGoIdle(int keep) {
        while (open > keep && !idle.isEmpty()) {
            idle.iterator().next().letGo(); // through closed(): out of idle, one fewer open
        }
    }
}
