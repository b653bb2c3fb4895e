package io.caravan.pack;

import io.caravan.progress.ProgressListener;
import io.caravan.util.FileIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A source file's content copied as exactly the size it was listed with, so the stream matches what
 * was announced for it: a file that grew is cut (with a warning), one that shrank is padded with
 * zeros (with a warning). It is read once, through the send's {@link SourceReads}.
 */
final class ExactCopy {

    private ExactCopy() {
    }

    /** Copies {@code size} bytes of {@code path} to {@code out}, hashing what it read into {@code digest} (if any); the bytes read. */
    static long copy(SourceReads reads, ProgressListener listener, Path path, FileIdentity identity, long size,
                     OutputStream out, MessageDigest digest, byte[] buffer) throws IOException {
        long remaining = size;
        try (InputStream in = reads.open(path, identity)) {
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
                remaining -= n;
                listener.bytes(n);
            }
            if (remaining == 0 && in.read() >= 0) {
                listener.warning(path + " grew while it was read; sent its first " + size + " bytes");
            }
        } catch (IOException e) {
            throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
        }
        long read = size - remaining;
        if (remaining > 0) {
            listener.warning(path + " shrank while it was read; padded with " + remaining + " zero bytes");
            Arrays.fill(buffer, (byte) 0);
            while (remaining > 0) {
                int n = (int) Math.min(buffer.length, remaining);
                out.write(buffer, 0, n);
                remaining -= n;
            }
        }
        return read;
    }
}
