package io.caravan.pack;

import io.caravan.progress.ProgressListener;
import io.caravan.util.FileIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * One regular file sent as its own bytes, without tar or compression, when packing would not shrink
 * it: codec {@code none}, or {@code auto} and a sample shows it incompressible. The receiver then
 * writes each byte once, where it belongs. The stream is the file itself, so its SHA-256 is the
 * file's, and resuming regenerates it exactly; mode and modification time travel in the manifest.
 */
public final class RawFileParcel {

    private RawFileParcel() {
    }

    /** Whether {@code source} travels raw with these options: a non-empty regular file that would not be compressed. */
    public static boolean applies(PackOptions options, Path source) throws IOException {
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS) || Files.size(source) == 0) {
            return false;
        }
        if (options.codec() instanceof NoneCodec) {
            return true;
        }
        return options.codec() instanceof AutoCodec && !Compressibility.worthCompressing(source);
    }

    /**
     * Cuts {@code file}'s bytes into chunks for {@code target}, hashing each, and the whole when
     * {@code hashWhole} (else the manifest has no {@code sha256} and the hooks learn the file's hash from
     * the receiver, {@link PackHooks#hashedByReceiver}: an upload hashes each byte once); the manifest.
     */
    public static Manifest pack(PackOptions options, Path file, ChunkTarget target, PackHooks hooks, SourceReads reads,
                                ProgressListener listener, boolean hashWhole) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(file, FileIdentity.ATTRIBUTES + ",nlink", LinkOption.NOFOLLOW_LINKS);
        long seen = System.currentTimeMillis();
        FileIdentity identity = FileIdentity.of(attrs);
        long size = (Long) attrs.get("size");
        int mode = (Integer) attrs.get("mode") & 07777;
        FileTime mtime = (FileTime) attrs.get("lastModifiedTime");
        ChunkingOutputStream chunks = new ChunkingOutputStream(options.chunkSize(), target, hashWhole);
        boolean ok = false;
        OutputStream handOff = null;
        try {
            listener.entry(file.getFileName().toString(), size);
            // hashing and handing out the chunks run on their own thread, overlapping the reads
            handOff = new AsyncOutputStream(chunks, 16, 256 * 1024, "caravan-chunk-" + options.name());
            ExactCopy.copy(reads, listener, file, identity, size, handOff, null, new byte[256 * 1024]);
            handOff.close();
            ok = true;
        } catch (IOException | RuntimeException | Error e) {
            // the unfinished chunk must not be completed as if the file had ended there
            chunks.abandon();
            Packer.closeQuietly(handOff);
            chunks.close();
            target.finished(e);
            throw e;
        } finally {
            listener.finished(ok);
        }
        if (size >= hooks.hashFilesFrom()) {
            if (hashWhole) {
                hooks.hashed(file, identity, seen, chunks.totalSha256());
            } else {
                hooks.hashedByReceiver(file, identity, seen);
            }
        }
        return new Manifest(Manifest.VERSION, Manifest.FORMAT, options.name(), new NoneCodec().streamName(), null,
                options.chunkSize(), chunks.chunks().size(), chunks.totalSize(), chunks.totalSha256(), 1L, size,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), chunks.chunks(),
                new Manifest.FileFacts(file.getFileName().toString(), mode, mtime.toInstant().toString()));
    }
}
