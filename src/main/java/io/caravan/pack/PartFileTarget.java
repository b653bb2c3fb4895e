package io.caravan.pack;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes chunks as part files: each under a temporary name, renamed to {@code <prefix>.partNNNN}
 * once full, so a reader never sees half a part. Removes the set's old manifest first (it would
 * describe other parts) and stale parts beyond the new count at the end.
 */
public final class PartFileTarget implements ChunkTarget {

    private final Path prefix;
    private Path currentTemp;
    private int count;

    public PartFileTarget(Path prefix) throws IOException {
        this.prefix = prefix.toAbsolutePath();
        Files.createDirectories(this.prefix.getParent());
        Files.deleteIfExists(PartFiles.manifest(this.prefix));
    }

    @Override
    public OutputStream open(int index) throws IOException {
        currentTemp = PartFiles.temp(PartFiles.part(prefix, index));
        return new BufferedOutputStream(Files.newOutputStream(currentTemp), 256 * 1024);
    }

    @Override
    public void completed(ChunkInfo chunk) throws IOException {
        Files.move(currentTemp, PartFiles.part(prefix, chunk.index()),
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        currentTemp = null;
        count = chunk.index() + 1;
    }

    @Override
    public void finished(Throwable failure) throws IOException {
        if (currentTemp != null) {
            Files.deleteIfExists(currentTemp);
        }
        if (failure == null) {
            for (int i = count; Files.deleteIfExists(PartFiles.part(prefix, i)); i++) {
                // stale part of an earlier, longer set
            }
        }
    }

    /** Writes the manifest beside the parts; call after packing so it appears last. */
    public void writeManifest(Manifest manifest) throws IOException {
        manifest.write(PartFiles.manifest(prefix));
    }
}
