package io.caravan.pack;

import io.caravan.progress.ProgressListener;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Streams sources through tar, a codec and a {@link ChunkingOutputStream} into a
 * {@link ChunkTarget}, and describes the result in a {@link Manifest}. Holds no more than one
 * chunk's bytes at a time (plus the codec's window); never writes a temporary archive.
 */
public final class Packer {

    private final PackOptions options;
    private final ProgressListener listener;
    private final PackHooks hooks;
    private final SourceReads reads;

    public Packer(PackOptions options, ProgressListener listener) {
        this(options, listener, PackHooks.NONE);
    }

    public Packer(PackOptions options, ProgressListener listener, PackHooks hooks) {
        this(options, listener, hooks, new SourceReads());
    }

    /** A packer reading source content through {@code reads} (a send's, counting every file it reads). */
    public Packer(PackOptions options, ProgressListener listener, PackHooks hooks, SourceReads reads) {
        this.options = options;
        this.listener = listener;
        this.hooks = hooks;
        this.reads = reads;
    }

    public PackOptions options() {
        return options;
    }

    public Manifest pack(List<Path> paths, ChunkTarget target) throws IOException {
        return packSources(PackSource.of(paths), target);
    }

    /** Packs exactly these sources under their given names (for example chosen entries of a mirrored tree). */
    public Manifest packSources(List<PackSource> sources, ChunkTarget target) throws IOException {
        TarTreeWriter tar = new TarTreeWriter(listener, hooks, options.safeLinks(), reads, options.exactTimes());
        ChunkingOutputStream chunks = new ChunkingOutputStream(options.chunkSize(), new ReportingTarget(target));
        boolean ok = false;
        OutputStream buffered = null;
        try {
            // hashing and writing the chunks run on their own thread, overlapping tar and compression
            OutputStream handOff = new AsyncOutputStream(chunks, 16, 256 * 1024, "caravan-chunk-" + options.name());
            OutputStream compressor = compressor(handOff);
            buffered = new BufferedOutputStream(compressor, 256 * 1024);
            tar.write(sources, buffered, compressor instanceof RestartPoints restarts ? restarts : RestartPoints.NONE);
            buffered.close();
            ok = true;
        } catch (IOException | RuntimeException | Error e) {
            // the unfinished chunk must not be completed as if the stream had ended there
            chunks.abandon();
            closeQuietly(buffered);
            chunks.close();
            target.finished(e);
            throw e;
        } finally {
            listener.finished(ok);
        }
        // an adaptive stream's levels vary from frame to frame: the manifest names none
        Integer level = options.codec() instanceof AutoCodec ? null : options.level();
        return new Manifest(Manifest.VERSION, Manifest.FORMAT, options.name(), options.codec().streamName(),
                level, options.chunkSize(), chunks.chunks().size(), chunks.totalSize(),
                chunks.totalSha256(), tar.entries(), tar.contentBytes(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), chunks.chunks());
    }

    /** Packs one file as its own bytes, no tar, no compression ({@link RawFileParcel}), hashed whole too. */
    public Manifest packRawFile(Path file, ChunkTarget target) throws IOException {
        return packRawFile(file, target, true);
    }

    /** As {@link #packRawFile(Path, ChunkTarget)}; without {@code hashWhole} only the chunks are hashed (an upload). */
    public Manifest packRawFile(Path file, ChunkTarget target, boolean hashWhole) throws IOException {
        return RawFileParcel.pack(options, file, new ReportingTarget(target), hooks, reads, listener, hashWhole);
    }

    /**
     * The codec's compressor; an adaptive one replays and records its levels in the hooks' {@link LevelLog}
     * and chooses new ones from the hooks' {@link LinkWaits}. A zstd stream, adaptive or not, ends frames at
     * some entry boundaries ({@link RestartPoints}), where a receiver can resume its extraction.
     */
    private OutputStream compressor(OutputStream out) throws IOException {
        if (options.codec() instanceof AutoCodec auto) {
            return auto.compressor(out, options.level(), hooks.levels(), hooks.linkWaits());
        }
        if (options.codec() instanceof ZstdCodec zstd) {
            return zstd.entryFramed(out, options.level());
        }
        return options.codec().compressor(out, options.level());
    }

    static void closeQuietly(OutputStream stream) {
        if (stream == null) {
            return;
        }
        try {
            stream.close(); // frees the codec; what it still writes is dropped by the abandoned chunker
        } catch (IOException | RuntimeException e) {
            // the first failure is the one reported
        }
    }

    /** Tells the listener about each completed chunk. */
    private final class ReportingTarget implements ChunkTarget {
        private final ChunkTarget delegate;

        ReportingTarget(ChunkTarget delegate) {
            this.delegate = delegate;
        }

        @Override
        public OutputStream open(int index) throws IOException {
            return delegate.open(index);
        }

        @Override
        public void completed(ChunkInfo chunk) throws IOException {
            delegate.completed(chunk);
            listener.chunk(chunk.index(), chunk.size());
        }

        @Override
        public void finished(Throwable failure) throws IOException {
            delegate.finished(failure);
        }
    }
}
