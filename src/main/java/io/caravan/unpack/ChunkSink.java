package io.caravan.unpack;

import io.caravan.CaravanException;
import io.caravan.pack.Chunk;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Consumes a parcel's chunks in index order and extracts them as they come, on its own thread, into
 * a staging folder; {@link #complete} checks the chunks against the manifest and publishes. Each
 * chunk is verified against its SHA-256 on arrival. Holds at most two chunks in its queue. The
 * arrays handed to {@link #accept} are kept until extracted and must not be reused by the caller.
 */
public final class ChunkSink implements AutoCloseable {

    private final UnpackOptions options;
    private final Staging staging;
    private final ChunkQueueInputStream pipe = new ChunkQueueInputStream(2);
    private final MessageDigest whole = Sha256.newDigest();
    private final List<String> hashes = new ArrayList<>();
    private final Thread extractor;
    private volatile Throwable failure;
    private volatile SafeExtractor.Result result;
    private boolean completed;

    public ChunkSink(Path destination, UnpackOptions options, ProgressListener listener) throws IOException {
        this.options = options;
        this.staging = Staging.create(destination);
        Unpacker unpacker = new Unpacker(options, listener);
        this.extractor = new Thread(() -> {
            try {
                result = unpacker.extractInto(pipe, staging.dir(), null);
            } catch (Throwable t) {
                failure = t;
            }
        }, "caravan-extract-" + destination.getFileName());
        extractor.setDaemon(true);
        extractor.start();
    }

    public void accept(Chunk chunk) throws IOException {
        accept(chunk.index(), chunk.data(), chunk.sha256());
    }

    /** Verifies and queues the chunk {@code index}; {@code sha256} may be null when not known. */
    public void accept(int index, byte[] data, String sha256) throws IOException {
        rethrowFailure();
        String label = "chunk " + ChunkInfo.label(index);
        if (index != hashes.size()) {
            throw new ChunkVerificationException(label + " arrived, but chunk " + ChunkInfo.label(hashes.size())
                    + " is next: chunks must be given to the sink in index order");
        }
        String actual = Sha256.of(data, 0, data.length);
        if (sha256 != null && !sha256.equalsIgnoreCase(actual)) {
            throw new ChunkVerificationException(label + ": SHA-256 mismatch (expected " + sha256 + ", got " + actual
                    + "); send the chunk again");
        }
        whole.update(data);
        hashes.add(actual);
        pipe.put(data, () -> failure);
        rethrowFailure();
    }

    /** Ends the stream, waits for extraction, checks the manifest (if given) and publishes. */
    public UnpackResult complete(Manifest manifest) throws IOException {
        if (manifest != null) {
            checkAgainst(manifest);
        }
        pipe.end(() -> failure);
        join();
        rethrowFailure();
        List<Path> published = staging.publish(options.versions(), Publisher.Policy.of(options.onConflict()));
        completed = true;
        return new UnpackResult(published, result.entries(), result.bytes());
    }

    private void checkAgainst(Manifest manifest) {
        List<String> problems = new ArrayList<>();
        for (ChunkInfo chunk : manifest.chunks()) {
            if (chunk.index() >= hashes.size()) {
                problems.add("chunk " + ChunkInfo.label(chunk.index()) + ": missing");
            } else if (!chunk.checksum().equalsIgnoreCase(hashes.get(chunk.index()))) {
                problems.add("chunk " + ChunkInfo.label(chunk.index()) + ": SHA-256 differs from the manifest");
            }
        }
        if (hashes.size() > manifest.totalChunks()) {
            problems.add(hashes.size() + " chunks received, the manifest lists " + manifest.totalChunks());
        }
        String actual = Sha256.hex(whole);
        if (problems.isEmpty() && manifest.hasStreamSha256() && !actual.equals(manifest.sha256())) {
            problems.add("whole-stream SHA-256 mismatch (expected " + manifest.sha256() + ", got " + actual + ")");
        }
        if (!problems.isEmpty()) {
            throw new ChunkVerificationException(String.join("; ", problems) + "; nothing was published");
        }
    }

    private void join() throws IOException {
        try {
            extractor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for extraction to finish");
        }
    }

    private void rethrowFailure() throws IOException {
        Throwable t = failure;
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof CaravanException e) {
            throw e;
        }
        if (t instanceof UncheckedIOException e) {
            throw e.getCause();
        }
        if (t != null) {
            throw new CaravanException("extraction failed: " + t.getMessage(), t);
        }
    }

    /** Abandons an incomplete sink: stops extraction and removes the staging folder. */
    @Override
    public void close() throws IOException {
        if (!completed) {
            pipe.abort();
            join();
        }
        staging.close();
    }
}
