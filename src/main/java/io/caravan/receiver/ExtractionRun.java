package io.caravan.receiver;

import io.caravan.progress.ProgressListener;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.SafeExtractor;
import io.caravan.unpack.Staging;
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

    private final ArchiveAssembler assembler;
    private final int gen;
    private final ExtractionPool.Queued queued;
    /** Guarded by the assembler's monitor. */
    private boolean done;

    /** Queues the run for generation {@code gen}; call under the assembler's monitor. */
    ExtractionRun(ArchiveAssembler assembler, int gen, ExtractionPool pool) {
        this.assembler = assembler;
        this.gen = gen;
        this.queued = pool.submit(this);
    }

    /** Takes the run off the queue if it has not started: it is done at once. Under the assembler's monitor. */
    void cancelIfQueued() {
        if (queued.cancel()) {
            done = true;
        }
    }

    /** Whether the run ended (or will never start). Under the assembler's monitor. */
    boolean done() {
        return done;
    }

    @Override
    public void run() {
        try {
            if (assembler.takeStaging(gen)) {
                // while it works for a session, a pool thread is named for it (thread dumps, tests)
                Thread thread = Thread.currentThread();
                String poolName = thread.getName();
                thread.setName("caravan-assemble-" + assembler.session().meta().id().substring(0, 8));
                try {
                    extract();
                } finally {
                    thread.setName(poolName);
                    assembler.releaseStaging();
                }
            }
        } finally {
            synchronized (assembler.monitor) {
                done = true;
                assembler.monitor.notifyAll();
            }
        }
    }

    private void extract() {
        List<ArchiveAssembler.ReportedFile> reported = new ArrayList<>();
        ExtractHooks content = assembler.contentHooks();
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
        try {
            Staging.at(assembler.stagingDir(), assembler.inbox());
            try (ChunkFeed feed = new ChunkFeed(assembler, gen)) {
                SafeExtractor.Result result = new Unpacker(assembler.options(), ProgressListener.NONE, hooks)
                        .extractInto(feed, assembler.stagingDir(), null);
                assembler.succeeded(gen, new ArchiveAssembler.Outcome(result, feed.sha256(), reported));
            }
        } catch (Throwable t) {
            assembler.failed(gen, t);
            assembler.freeStaging();
        }
    }
}
