package io.caravan.pack;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Judges from a few samples whether a file's content is worth compressing: video, images, archives
 * and encrypted data barely shrink, and compressing a large one costs about a CPU-second per GiB
 * on each side for nothing. Deterministic for the same content, so a resumed upload makes the same
 * choice and regenerates the same chunk stream.
 */
public final class Compressibility {

    /** Bytes per sample. */
    static final int SAMPLE = 128 * 1024;
    /** A file whose samples compress to more than this share of their size is not worth compressing. */
    static final double INCOMPRESSIBLE = 0.95;

    private Compressibility() {
    }

    /** False when samples from the start, middle and end of {@code file} compress by less than 5 % (zstd level 1). */
    public static boolean worthCompressing(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long[] offsets = size <= 3L * SAMPLE ? new long[] {0} : new long[] {0, size / 2 - SAMPLE / 2, size - SAMPLE};
            long read = 0;
            long compressed = 0;
            for (long offset : offsets) {
                ByteBuffer sample = ByteBuffer.allocate(SAMPLE);
                while (sample.hasRemaining() && channel.read(sample, offset + sample.position()) > 0) {
                    // a short read goes on at the next position
                }
                byte[] bytes = Arrays.copyOf(sample.array(), sample.position());
                read += bytes.length;
                compressed += Zstd.compress(bytes, 1).length;
            }
            return read == 0 || compressed < read * INCOMPRESSIBLE;
        }
    }
}
