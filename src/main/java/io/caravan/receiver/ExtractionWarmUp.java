package io.caravan.receiver;

import io.caravan.pack.Codecs;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.Staging;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.Unpacker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tiny extraction (a zstd tar of one small file) through the path every archive session takes,
 * run once on the extraction pool when the receiver starts, in its private staging area, and removed
 * afterwards. A fresh JVM otherwise spends about half a second loading that path (tar, codecs, the
 * confined file operations' native calls) in the first session, during which a sender keeps
 * uploading chunks of a parcel the receiver is about to refuse.
 */
final class ExtractionWarmUp implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ExtractionWarmUp.class);
    /** Not a session id (those are 32 hex digits), so it never meets a session's staging folder. */
    static final String FOLDER = "warm-up";

    private final Path dir;
    private final CountDownLatch done = new CountDownLatch(1);

    ExtractionWarmUp(Path stagingRoot) {
        this.dir = stagingRoot.resolve(FOLDER);
    }

    @Override
    public void run() {
        try {
            Files.createDirectories(dir);
            new Unpacker(new UnpackOptions(true, OnConflict.MERGE, ExtractPolicy.DEFAULT), ProgressListener.NONE)
                    .extractInto(new ByteArrayInputStream(archive()), dir, null);
        } catch (IOException | RuntimeException e) {
            LOG.debug("the extraction warm-up failed (the first session loads the classes instead): {}", e.toString());
        } finally {
            try {
                Staging.deleteTree(dir);
            } catch (IOException e) {
                LOG.debug("could not remove {}: {}", dir, e.toString());
            }
            done.countDown();
        }
    }

    /** Waits up to {@code limit} for a started warm-up to have removed its folder (the receiver is closing). */
    void awaitDone(Duration limit) {
        try {
            done.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] archive() throws IOException {
        byte[] content = "warm-up\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream zstd = Codecs.byName("zstd").compressor(bytes, 1);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(zstd)) {
            TarArchiveEntry entry = new TarArchiveEntry("warm-up.txt");
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
