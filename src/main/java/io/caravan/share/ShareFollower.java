package io.caravan.share;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.FsMessages;
import io.caravan.fs.NameRules;
import io.caravan.fs.UnsafePathException;
import io.caravan.sync.LocalMirror;
import io.caravan.sync.MirrorSync;
import io.caravan.sync.PassExhaustedException;
import io.caravan.sync.PassRefusedException;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Follows one share into a local folder: a first compare against the share's listing, then its
 * change log, long-polled from a cursor. Each batch of events is applied to the follower's copy of
 * the share's tree and the folder made equal to it by one {@link LocalMirror} pass over the paths the
 * batch names (renames as renames, changed files fetched, deletions guarded; the rest of the folder is
 * not read). The cursor is kept in
 * {@code .caravan-follow/cursor}; a lost connection, or a refusal once the share has answered
 * (a server being restarted), is retried with backoff (1 s doubling up to 30 s) from the cursor; a pass in
 * which something failed (a fetch, a change on the folder) is followed by a pause that doubles from 1 s
 * up to {@value #MAX_FAILED_PASS_BACKOFF} ms until a pass succeeds, said once per pass
 * ({@code Pass failed: ...; next try in N s}); a cursor the server no longer holds ({@code 410}) or a reset of its log starts
 * with a whole compare again. A poll that ends without changes compares the whole folder with the tree
 * it should hold, so what was changed in the folder itself is put right within one poll's wait of a
 * quiet share, and within {@value #WHOLE_EVERY_WAITS} waits of a busy one (whose batch pass is then a
 * whole one). A change
 * that cannot be applied as sent ({@link EventCheck}) is refused, reported as {@code Refused: ...},
 * and the changes after it are applied. Only a rename the share reported moves content on the folder
 * (see {@link LocalMirror#pass(Map, Set, Map, boolean, String)}). A pass that runs out of memory or
 * of stack ends the follower with a {@link PassExhaustedException} (not retried: the same pass would
 * fail the same way); the cursor stays where the last finished pass left it.
 */
public final class ShareFollower implements AutoCloseable {

    private static final long MAX_BACKOFF = 30_000;
    /** The longest pause after a pass that failed (it doubles from 1 s up to this). */
    static final long MAX_FAILED_PASS_BACKOFF = 60_000;
    private static final String CURSOR_TEMP = "cursor.tmp";
    /** A share that never goes quiet still has the folder compared as a whole after this many poll waits. */
    static final int WHOLE_EVERY_WAITS = 10;

    private final ShareClient client;
    private final LocalMirror mirror;
    private final boolean checksum;
    private final Duration wait;
    private final SyncConsole console;
    private volatile boolean running = true;
    private volatile Thread thread;
    private Map<String, SyncEntry> tree;
    private long cursor = -1;
    /** When the folder was last compared as a whole ({@link System#nanoTime}). */
    private long lastWhole = System.nanoTime();

    public ShareFollower(ShareClient client, LocalMirror mirror, boolean checksum, Duration wait, SyncConsole console) {
        this.client = client;
        this.mirror = mirror;
        this.checksum = checksum;
        this.wait = wait;
        this.console = console;
    }

    /** The whole compare only: lists the share and makes the folder equal to it. */
    public MirrorSync.Outcome once() throws IOException {
        try {
            return compare(true);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw PassExhaustedException.following(e, client.toString(), mirror.root().toString(), cursor);
        }
    }

    /** Compares, then follows the change log until {@link #close}. */
    public void run() throws IOException {
        thread = Thread.currentThread();
        long backoff = 1000;
        long failedPass = 1000;
        boolean first = true;
        while (running) {
            try {
                MirrorSync.Outcome outcome;
                if (tree == null) {
                    outcome = compare(first);
                    if (first) {
                        console.line("Following " + client + " into " + mirror.root() + " from change " + cursor);
                    }
                    first = false;
                } else {
                    outcome = follow();
                }
                backoff = 1000;
                if (outcome != null && !outcome.ok()) {
                    // what failed fails again at once (a full disk, a server that cannot serve it): not at every poll
                    console.notice("Pass failed: " + outcome.failed() + (outcome.failed() == 1 ? " change" : " changes")
                            + " could not be made; next try in " + failedPass / 1000 + " s");
                    pause(failedPass);
                    failedPass = Math.min(failedPass * 2, MAX_FAILED_PASS_BACKOFF);
                } else if (outcome != null) {
                    failedPass = 1000;
                }
            } catch (ShareClient.CursorGoneException e) {
                console.line("The share no longer holds changes after " + cursor + ": comparing the whole tree");
                tree = null;
            } catch (ShareClient.ShareRefusedException e) {
                if (first) {
                    throw e; // a wrong URL or token: the user must change it
                }
                // a server that answered before and refuses now is being restarted or reconfigured: keep trying
                console.notice(NameRules.printable(e.getMessage()) + "; trying again in " + backoff / 1000 + " s");
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF);
            } catch (PassRefusedException | UnsafePathException e) {
                console.notice("Pass refused: " + NameRules.printable(e.getMessage()));
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF);
            } catch (FileSystemException e) {
                // the folder, not the share: what failed is named relative to it
                console.notice("Could not change " + mirror.root() + ": " + FsMessages.reason(e) + "; trying again in "
                        + backoff / 1000 + " s");
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF);
            } catch (IOException e) {
                if (!running) {
                    return;
                }
                String said = NameRules.printable(e.getMessage());
                // an unreachable share's message names it and what to check already
                String what = e instanceof ShareClient.ShareUnreachableException
                        ? Character.toUpperCase(said.charAt(0)) + said.substring(1)
                        : "Share " + client + " unreachable (" + said + ")";
                console.notice(what + "; trying again in " + backoff / 1000 + " s");
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF);
            } catch (OutOfMemoryError | StackOverflowError e) {
                // the same pass would run out again in a JVM that just did: stop, so that it is restarted with more
                throw PassExhaustedException.following(e, client.toString(), mirror.root().toString(), cursor);
            }
        }
    }

    private MirrorSync.Outcome compare(boolean verbose) throws IOException {
        ShareLog.Listing listing = client.listing(checksum);
        MirrorSync.Outcome outcome = mirror.pass(listing.entries(), Set.of(), verbose, client.toString());
        lastWhole = System.nanoTime();
        tree = new TreeMap<>(listing.entries());
        save(listing.sequence());
        return outcome;
    }

    /**
     * One poll: the events after the cursor applied to the tree, and one pass when any arrived (or a
     * compare of the folder with the tree when none did); the pass's outcome, null when none was made.
     */
    private MirrorSync.Outcome follow() throws IOException {
        ShareClient.Events answer = client.events(cursor, wait);
        if (answer.events().isEmpty()) {
            if (answer.latest() != cursor) {
                save(answer.latest());
            }
            // a quiet share: the folder is compared with the tree it should hold, which repairs local changes to it
            MirrorSync.Outcome outcome = mirror.forChanges().pass(tree, Set.of(), false, client.toString());
            lastWhole = System.nanoTime();
            return outcome;
        }
        Set<String> forced = new HashSet<>();
        Set<String> named = new HashSet<>(); // the paths the applied changes name: the pass looks at those alone
        // what the server reported as moved (new path to old path): only those pairs are moved, anything else is fetched
        TreeMap<String, String> renamed = new TreeMap<>();
        TreeMap<String, SyncEntry> next = new TreeMap<>(tree);
        for (ShareEvent event : answer.events()) {
            String problem = EventCheck.problem(event, next);
            if (problem != null) {
                client.refuse("the server's change " + event.seq() + " (" + event.type() + " '"
                        + NameRules.printable(String.valueOf(event.path())) + "'): " + problem);
                continue;
            }
            named.add(event.path());
            if (event.from() != null) {
                named.add(event.from());
            }
            switch (event.type()) {
                case RESET -> {
                    console.line("The share's log was reset: comparing the whole tree");
                    tree = null;
                    return null;
                }
                case DELETE -> {
                    removeSubtree(next, event.path());
                    removeSubtree(renamed, event.path());
                }
                case RENAME -> {
                    TreeMap<String, SyncEntry> moved = new TreeMap<>(next.subMap(event.from() + "/", event.from() + "0"));
                    SyncEntry self = next.get(event.from());
                    TreeMap<String, String> origins = new TreeMap<>(renamed.subMap(event.from(), true, event.from() + "0", false));
                    removeSubtree(next, event.from());
                    removeSubtree(next, event.path());
                    removeSubtree(renamed, event.from());
                    removeSubtree(renamed, event.path());
                    renamed.put(event.path(), origins.getOrDefault(event.from(), event.from()));
                    moved.forEach((path, entry) -> {
                        String to = event.path() + path.substring(event.from().length());
                        renamed.put(to, origins.getOrDefault(path, path));
                        next.put(to, new SyncEntry(to, entry.type(), entry.size(), entry.mtime(), entry.mode(), entry.target(), entry.sha256()));
                    });
                    SyncEntry now = event.entry() != null ? event.entry() : self;
                    if (now != null) {
                        next.put(event.path(), withSha(now, self));
                    }
                }
                default -> {
                    SyncEntry old = next.get(event.path());
                    if (old != null && old.type() != event.entry().type()) {
                        removeSubtree(next, event.path());
                        removeSubtree(renamed, event.path());
                    }
                    next.put(event.path(), event.entry());
                    if (event.entry().type() != SyncEntry.Type.DIR) {
                        forced.add(event.path());
                        renamed.remove(event.path()); // written after it moved: its content is fetched
                    }
                }
            }
        }
        boolean whole = System.nanoTime() - lastWhole > WHOLE_EVERY_WAITS * wait.toNanos();
        MirrorSync.Outcome outcome = whole ? mirror.forChanges().pass(next, forced, renamed, false, client.toString())
                : mirror.forChanges().passOver(next, named, forced, renamed, client.toString());
        if (whole) {
            lastWhole = System.nanoTime();
        }
        tree = next;
        save(answer.latest());
        if (!outcome.ok()) {
            tree = null; // what failed is compared again with the whole tree
        }
        return outcome;
    }

    private static SyncEntry withSha(SyncEntry now, SyncEntry before) {
        if (before == null || before.sha256() == null || now.sha256() != null || now.type() != SyncEntry.Type.FILE
                || now.size() != before.size()) {
            return now;
        }
        return new SyncEntry(now.path(), now.type(), now.size(), now.mtime(), now.mode(), now.target(), before.sha256());
    }

    private static void removeSubtree(TreeMap<String, ?> tree, String path) {
        tree.remove(path);
        tree.subMap(path + "/", path + "0").clear(); // '0' follows '/': every path below
    }

    /** Keeps the cursor in the state folder: written to a new file (a link or file left there is removed first) and renamed over it. */
    private void save(long sequence) throws IOException {
        cursor = sequence;
        byte[] text = (client + "\n" + sequence + "\n").getBytes(StandardCharsets.UTF_8);
        try (ConfinedDir state = mirror.stateDir()) {
            if (state.stat(CURSOR_TEMP).isPresent()) {
                state.delete(CURSOR_TEMP);
            }
            try (FileChannel out = state.create(CURSOR_TEMP)) {
                out.write(ByteBuffer.wrap(text));
                out.force(false);
            }
            state.rename(CURSOR_TEMP, state, "cursor");
        }
    }

    /** The change number the folder has caught up to (-1 before the first compare). */
    public long cursor() {
        return cursor;
    }

    private void pause(long millis) {
        synchronized (this) {
            try {
                if (running) {
                    wait(millis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        client.hangUp(); // ends a listing or poll in flight
    }
}
