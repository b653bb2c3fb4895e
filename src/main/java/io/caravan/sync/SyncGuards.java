package io.caravan.sync;

import java.util.List;
import java.util.Locale;

/**
 * Refuses a mirroring pass that would most likely destroy data by mistake, before it changes
 * anything: an empty source while the mirror holds entries (an unmounted disk, a wrong folder; a
 * source of empty folders alone, such as an empty file system's {@code lost+found}, while the mirror
 * holds files or links),
 * unless {@code allowEmptySource}; more deletions than {@code maxDelete} (-1: no limit). The
 * messages say how to allow it in the words of the front end ({@link Advice}).
 */
public record SyncGuards(long maxDelete, boolean allowEmptySource, Advice advice) {

    /** How a user allows a refused pass: command-line options or {@code caravan.sync.*} properties. */
    public enum Advice {
        COMMAND_LINE("pass --allow-empty-source", "pass --max-delete %d"),
        PROPERTIES("set caravan.sync.allow-empty-source=true", "set caravan.sync.max-delete=%d");

        private final String allowEmpty;
        private final String maxDelete;

        Advice(String allowEmpty, String maxDelete) {
            this.allowEmpty = allowEmpty;
            this.maxDelete = maxDelete;
        }
    }

    /** No limit on deletions, an empty source refused, advice for the command line. */
    public static final SyncGuards DEFAULT = new SyncGuards(-1, false, Advice.COMMAND_LINE);

    /** Throws {@link EmptySourceException} or {@link TooManyDeletesException} when the pass must not run. */
    public void check(String source, String mirror, SyncPlanner.Planned planned) {
        if (!allowEmptySource && !planned.mirror().isEmpty()) {
            long folders = planned.source().size();
            // an empty file system mounted there holds its empty lost+found: folders alone are no content
            boolean empty = folders == 0 || !holdsContent(planned.source()) && holdsContent(planned.mirror());
            if (empty) {
                String what = folders == 0 ? "is empty" : "holds no file or link (only " + folders + " empty folder"
                        + (folders == 1 ? ")" : "s)");
                throw new EmptySourceException("source " + source + " " + what + (planned.filtered() ? " (after the exclude rules)" : "")
                        + " but mirror '" + mirror + "' holds " + entries(planned.mirror().size()) + ": nothing was changed; "
                        + advice.allowEmpty + " to mirror an empty folder");
            }
        }
        checkDeletions(source, mirror, planned);
    }

    /** Whether {@code tree} holds a file or a link, not only folders. */
    private static boolean holdsContent(java.util.Map<String, SyncEntry> tree) {
        return tree.values().stream().anyMatch(entry -> entry.type() != SyncEntry.Type.DIR);
    }

    /**
     * The limit on deletions alone, for a pass over part of the trees (whose source being empty says
     * nothing of the whole source): throws {@link TooManyDeletesException}.
     */
    public void checkDeletions(String source, String mirror, SyncPlanner.Planned planned) {
        long deleting = maxDelete < 0 ? 0 : planned.deletedEntries();
        if (deleting > maxDelete && maxDelete >= 0) {
            throw new TooManyDeletesException("this pass would delete " + entries(deleting) + " of mirror '" + mirror + "' ("
                    + sample(planned.plan().deletes()) + "), more than the limit of " + maxDelete + ": nothing was changed;"
                    + " check the source " + source + ", or " + String.format(Locale.ROOT, advice.maxDelete, deleting) + " to allow it");
        }
    }

    private static String entries(long n) {
        return n + (n == 1 ? " entry" : " entries");
    }

    private static String sample(List<String> paths) {
        String shown = String.join(", ", paths.subList(0, Math.min(5, paths.size())));
        return paths.size() > 5 ? shown + " and " + (paths.size() - 5) + " more" : shown;
    }
}
