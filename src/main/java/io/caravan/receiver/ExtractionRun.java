package io.caravan.receiver;

import io.caravan.fs.ConfinedDir;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.SafeExtractor;
import io.caravan.unpack.Unpacker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One generation of a session's extraction, from chunk 0 into an empty staging folder, run on the
 * {@link ExtractionPool}. It starts only once the runs before it let go of the staging folder (they
 * were told to stop), and ends as done whether it extracted, failed, parked, was superseded or was
 * taken off the queue before it started.
 */
final class ExtractionRun implements Runnable {

    private final ExtractionSetup setup;
    private final ExtractionState state;
    private final int gen;
    private final ExtractionPool.Queued queued;
    /** Guarded by the state's monitor. */
    private boolean done;

    /** Queues the run for generation {@code gen}; call with the state's monitor held. */
    ExtractionRun(ExtractionSetup setup, ExtractionState state, int gen) {
        this.setup = setup;
        this.state = state;
        this.gen = gen;
        this.queued = setup.pool().submit(this);
    }

    /** Takes the run off the queue if it has not started: it is done at once. With the state's monitor held. */
    void cancelIfQueued() {
        if (queued.cancel()) {
            done = true;
        }
    }

    /** Whether the run ended (or will never start). With the state's monitor held. */
    boolean done() {
        return done;
    }

    @Override
    public void run() {
        try {
            if (state.takeStaging(gen)) {
                // while it works for a session, a pool thread is named for it (thread dumps, tests)
                Thread thread = Thread.currentThread();
                String poolName = thread.getName();
                thread.setName("caravan-assemble-" + setup.session().meta().id().substring(0, 8));
                try {
                    extract();
                } finally {
                    thread.setName(poolName);
                    state.releaseStaging();
                }
            }
        } finally {
            synchronized (state) {
                done = true;
                state.notifyAll();
            }
        }
    }

    /** A raw session's chunks are already where they belong: the run only hashes them in order, mostly from memory. */
    private void hashInOrder() {
        byte[] buffer = new byte[1 << 20];
        try (ChunkFeed feed = new ChunkFeed(setup, state, gen)) {
            while (feed.read(buffer, 0, buffer.length) >= 0) {
                // the feed hashes what it reads
            }
            state.succeeded(gen, new ArchiveAssembler.Outcome(null, feed.sha256(), List.of()));
        } catch (Throwable t) {
            state.failed(gen, t);
        }
    }

    private void extract() {
        List<ArchiveAssembler.ReportedFile> reported = new ArrayList<>();
        ExtractHooks content = setup.contentHooks();
        ExtractHooks hooks = new ExtractHooks() {
            @Override
            public boolean materialise(String sha256, long size, Path target, StoredFileCheck mayLink)
                    throws IOException {
                return content.materialise(sha256, size, target, mayLink);
            }

            @Override
            public long reportFilesFrom() {
                return content.reportFilesFrom();
            }

            @Override
            public boolean hashReportedFiles() {
                return content.hashReportedFiles();
            }

            @Override
            public void extracted(String name, String sha256, long size) {
                reported.add(new ArchiveAssembler.ReportedFile(name, sha256));
            }
        };
        if (!setup.session().meta().archive()) {
            hashInOrder();
            return;
        }
        // the run holds its staging folder open: what it writes goes there, whatever is swapped in for its name
        try (ConfinedDir own = setup.staging().fresh(); ChunkFeed feed = new ChunkFeed(setup, state, gen)) {
            SafeExtractor.Result result = new Unpacker(setup.options(), ProgressListener.NONE, hooks)
                    .extractInto(feed, own.self(), null);
            state.succeeded(gen, new ArchiveAssembler.Outcome(result, feed.sha256(), reported));
        } catch (Throwable t) {
            state.failed(gen, t);
            setup.freeStaging();
        }
    }
}
