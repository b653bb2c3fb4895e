package io.caravan.receiver;

import io.caravan.fs.ConfinedDir;
import io.caravan.pack.Codecs;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ExtractionCheckpoint;
import io.caravan.unpack.Resumption;
import io.caravan.unpack.SafeExtractor;
import io.caravan.unpack.Unpacker;
import io.caravan.unpack.WaitingSource;
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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExtractionRun.class);

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

    /**
     * The checkpoint this run resumes from (taken: no later run does), with the feed started there; null
     * when it starts at chunk 0 (no checkpoint, or a chunk before it is not stored).
     */
    private ExtractionCheckpoint resumeFrom(ChunkFeed feed) {
        ExtractionCheckpoint from;
        synchronized (state) {
            from = state.current(gen) ? state.resumeFrom : null;
            state.resumeFrom = null;
        }
        if (from == null) {
            return null;
        }
        if (!feed.startAt(from.compressed())) {
            synchronized (state) {
                state.fromChunkZero = "a chunk before its checkpoint, or the one it lies in, is not listed";
            }
            return null;
        }
        LOG.info("session {}: extraction resumed from its checkpoint at byte {} of the stream, after {} entries",
                setup.session().meta().id(), from.compressed(), from.entries());
        return from;
    }

    /**
     * Drops the session's covered chunks (a run from chunk 0 needs their bytes, which were never kept): the
     * sender sends them again, as its status or the finish's answer tells it. While a finish waits for the run
     * (it holds the session, so no chunk can come), the run ends at once with the finish's 409 {@code incomplete}
     * naming them, instead of waiting for them.
     */
    private void uncover() throws IOException {
        List<Integer> dropped = setup.store().uncover(setup.session());
        boolean finishing;
        String why;
        synchronized (state) {
            finishing = state.totalChunks != null;
            why = state.fromChunkZero;
        }
        if (!dropped.isEmpty() && finishing) {
            // a finish waits for this run, and holds the session: nobody can send them while it waits
            throw ChunkCompleteness.dropped(setup.session().meta().id(), dropped, why);
        }
        if (!dropped.isEmpty()) {
            LOG.warn("session {}: its extraction starts again from chunk 0, and the chunks {} it had extracted from"
                    + " their request bodies are gone: they are listed no more, and the sender sends them again",
                    setup.session().meta().id(), dropped);
        }
    }

    /** Whether this run gave its thread up waiting for a chunk (rather than failing). */
    private boolean parked() {
        synchronized (state) {
            return state.current(gen) && state.parkedAt != null;
        }
    }

    /** Whether {@code stream} begins in the format {@code codec}, as its first bytes say (an empty one does not). */
    private static boolean startsAs(Peeked stream, String codec) throws IOException {
        stream.mark(1);
        boolean empty = stream.read() < 0;
        stream.reset();
        return !empty && Codecs.detect(stream).streamName().equals(codec);
    }

    /** The feed, its first bytes looked at before it is read: a reader that gives up still lets it stop waiting. */
    private static final class Peeked extends java.io.BufferedInputStream implements WaitingSource {
        private final ChunkFeed feed;

        Peeked(ChunkFeed feed) {
            super(feed, 64 * 1024);
            this.feed = feed;
        }

        @Override
        public void abandon() {
            feed.abandon();
        }
    }

    /**
     * Records a checkpoint at the first restart point in each stored chunk after the last one's, and holds the
     * last one inside a chunk handed from its body, at least {@link ExtractionState#INSIDE_SPACING} after the
     * one held before, for its upload to write once it has kept the chunk's tail ({@link DirectChunk#inside}).
     * A checkpoint is written only past the last one written ({@link ExtractionState#write}).
     */
    private static final class FeedCheckpoints implements Resumption.Checkpoints {
        private final ChunkFeed feed;
        private final java.nio.file.Path file;
        private final ExtractionState state;
        private final int gen;
        private int lastChunk = -1;

        FeedCheckpoints(ChunkFeed feed, java.nio.file.Path file, ExtractionState state, int gen) {
            this.feed = feed;
            this.file = file;
            this.state = state;
            this.gen = gen;
        }

        @Override
        public boolean wants(long compressed) {
            synchronized (state) {
                DirectChunk handed = state.holding(gen, compressed);
                if (handed != null) {
                    return !handed.settled && (handed.inside == null
                            || compressed - handed.inside.compressed() >= ExtractionState.INSIDE_SPACING);
                }
                if (state.direct.values().stream().anyMatch(d -> d.gen == gen && d.settled && d.start < compressed
                        && compressed < d.end)) {
                    return false; // its upload is keeping it: a checkpoint inside it waits for its tail no more
                }
            }
            return compressed > 0 && feed.chunkAt(compressed) > lastChunk;
        }

        @Override
        public void record(ExtractionCheckpoint checkpoint) throws IOException {
            synchronized (state) {
                DirectChunk handed = state.holding(gen, checkpoint.compressed());
                if (handed != null) {
                    if (!handed.settled) {
                        handed.inside = checkpoint;
                    }
                    return;
                }
                if (state.write(gen, checkpoint, file)) {
                    lastChunk = feed.chunkAt(checkpoint.compressed());
                }
            }
        }

        @Override
        public void idleWhen(java.util.function.BooleanSupplier idle) {
            state.stagesIdle(gen, idle);
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
        String codec = setup.resumableCodec();
        try (ChunkFeed feed = new ChunkFeed(setup, state, gen)) {
            ExtractionCheckpoint from = resumeFrom(feed);
            if (from == null) {
                setup.dropCheckpoint(); // before the folder it speaks of changes
                uncover();
            }
            // the run holds its staging folder open: what it writes goes there, whatever is swapped in for its name
            try (ConfinedDir own = from == null ? setup.staging().fresh() : setup.staging().open()) {
                Unpacker unpacker = new Unpacker(setup.options(), ProgressListener.NONE, hooks);
                // the stream is read as what it is: restart points only in the format the session names
                Peeked stream = new Peeked(feed);
                boolean resumable = codec != null && (from != null || startsAs(stream, codec));
                state.checkpointing(gen, resumable, from == null ? -1 : from.compressed());
                SafeExtractor.Result result = resumable
                        ? unpacker.extractResumable(stream, own.self(), new Resumption(codec, from, setup.journalFile(),
                                new FeedCheckpoints(feed, setup.checkpointFile(), state, gen)))
                        : unpacker.extractInto(stream, own.self(), null);
                state.succeeded(gen, new ArchiveAssembler.Outcome(result, feed.sha256(), reported));
            }
        } catch (Throwable t) {
            // what it extracted is removed before the failure is told: a finish answered 422 finds no staging left
            if (!parked() || !java.nio.file.Files.exists(setup.checkpointFile(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                setup.freeStaging();
            } // a run that gave its thread up keeps what it extracted: the next one resumes at its checkpoint
            state.failed(gen, t);
        }
    }
}
