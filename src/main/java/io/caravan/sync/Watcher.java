package io.caravan.sync;

import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the mirror in step with the local tree: file-system events (CREATE, MODIFY, DELETE) mark
 * paths dirty; once a path has been quiet for the settle time it is part of the next pass, which
 * re-diffs the tree (so renames are detected as such, and events lost by the watcher are
 * harmless), while paths still changing wait; changes to excluded paths are ignored. A periodic
 * rescan repairs anything missed; a pass that fails (receiver unreachable) or is refused by the
 * guards is retried with backoff from 1 s up to 30 s, re-diffing, so nothing changed during an
 * outage is lost. A pass that runs out of memory or of stack ({@link PassExhaustedException}) ends the
 * watching instead.
 */
public final class Watcher implements AutoCloseable {

    private static final long MAX_BACKOFF = 30_000_000_000L;

    private final SyncSettings settings;
    private final MirrorSync sync;
    private final SyncConsole console;
    private final Map<String, Long> dirty = new HashMap<>();
    private boolean overflow;
    private volatile boolean running = true;
    private DirectoryWatcher watcher;

    public Watcher(SyncSettings settings, MirrorSync sync, SyncConsole console) {
        this.settings = settings;
        this.sync = sync;
        this.console = console;
    }

    /** Watches until {@link #close()}: a first full pass, then a pass whenever changes settle or a rescan is due. */
    public void run() throws IOException {
        watcher = DirectoryWatcher.builder().path(settings.root()).fileHashing(false).listener(this::onEvent).build();
        watcher.watchAsync();
        long settle = settings.settle().toNanos();
        long backoff = 1_000_000_000L;
        long nextPass = System.nanoTime();
        boolean first = true;
        while (running) {
            Set<String> settled = new HashSet<>();
            Set<String> unsettled = new HashSet<>();
            synchronized (this) {
                waitQuietly(100);
                long now = System.nanoTime();
                dirty.forEach((path, at) -> (now - at >= settle ? settled : unsettled).add(path));
                if (!running || now < nextPass && settled.isEmpty() && !overflow) {
                    continue;
                }
                settled.forEach(dirty::remove);
                overflow = false;
            }
            try {
                MirrorSync.Outcome outcome = sync.pass(first, settled, unsettled);
                if (first) {
                    console.line("Watching " + settings.root() + " for changes (rescan every " + settings.rescan().toSeconds() + " s)");
                }
                first = false;
                nextPass = System.nanoTime() + (outcome.ok() ? settings.rescan().toNanos() : backoff);
                backoff = outcome.ok() ? 1_000_000_000L : Math.min(backoff * 2, MAX_BACKOFF);
            } catch (PassExhaustedException e) {
                // the same pass would run out again: watching ends, and the sync with it, saying what to give it
                try {
                    close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    settled.forEach(p -> dirty.putIfAbsent(p, 0L));
                }
                console.notice("Sync pass failed (" + e.getMessage() + "); comparing again in " + backoff / 1_000_000_000L + " s");
                nextPass = System.nanoTime() + backoff;
                backoff = Math.min(backoff * 2, MAX_BACKOFF);
            }
        }
    }

    private void onEvent(DirectoryChangeEvent event) {
        synchronized (this) {
            if (event.eventType() == DirectoryChangeEvent.EventType.OVERFLOW) {
                overflow = true;
            } else if (event.path() != null && event.path().startsWith(settings.root()) && !event.path().equals(settings.root())
                    && !sync.filter().excludes(relative(event.path()), Files.isDirectory(event.path(), LinkOption.NOFOLLOW_LINKS))) {
                dirty.put(relative(event.path()), System.nanoTime());
            }
            notifyAll();
        }
    }

    private String relative(Path path) {
        return settings.root().relativize(path).toString();
    }

    private void waitQuietly(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        if (watcher != null) {
            watcher.close();
        }
    }
}
