package io.caravan.unpack;

import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.util.BulkInputStream;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * Reads parts one after the other as a single stream, hashing each part and the whole stream. When
 * a manifest is given, the end of each part is checked against its entry, and the end of the
 * stream against the whole-stream SHA-256; a mismatch throws {@link ChunkVerificationException}
 * naming the part (the whole stream only when the manifest has its hash; a bare metadata file has none). Since a corrupt part can break the decompressor before its end is reached,
 * callers {@link #drain()} after a failure to learn which part was at fault.
 */
public final class VerifyingPartsInputStream extends BulkInputStream {

    private final List<Path> parts;
    private final Manifest manifest;
    private final ProgressListener listener;
    private final MessageDigest whole = Sha256.newDigest();
    private final MessageDigest part = Sha256.newDigest();
    private InputStream current;
    private int index;
    private long partSize;
    private final java.util.ArrayList<Long> starts = new java.util.ArrayList<>();
    private long position;
    private boolean ended;

    public VerifyingPartsInputStream(List<Path> parts, Manifest manifest, ProgressListener listener) {
        this.parts = parts;
        this.manifest = manifest;
        this.listener = listener;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!ended) {
            if (current == null) {
                if (index == parts.size()) {
                    endOfStream();
                    return -1;
                }
                current = Files.newInputStream(parts.get(index));
                starts.add(position);
                partSize = 0;
            }
            int n = current.read(b, off, len);
            if (n > 0) {
                part.update(b, off, n);
                whole.update(b, off, n);
                partSize += n;
                position += n;
                return n;
            }
            current.close();
            current = null;
            endOfPart(index++);
        }
        return -1;
    }

    private void endOfPart(int finished) {
        String actual = Sha256.hex(part);
        if (manifest == null) {
            listener.chunk(finished, partSize);
            return;
        }
        ChunkInfo expected = manifest.chunks().get(finished);
        String label = "part " + ChunkInfo.label(finished);
        if (partSize != expected.size()) {
            throw new ChunkVerificationException(label + ": " + partSize + " bytes, the manifest says " + expected.size()
                    + " (the part changed while it was read)");
        }
        if (!actual.equals(expected.checksum())) {
            for (ChunkInfo other : manifest.chunks()) {
                if (other.checksum().equals(actual)) {
                    throw new ChunkVerificationException(label + ": holds the bytes of part " + ChunkInfo.label(other.index())
                            + " (parts renamed or reordered); restore the original part names");
                }
            }
            throw new ChunkVerificationException(label + ": SHA-256 mismatch (expected " + expected.checksum() + ", got "
                    + actual + "); the part is corrupted or from another set, copy it again");
        }
        listener.chunk(finished, partSize);
    }

    private void endOfStream() {
        ended = true;
        String actual = Sha256.hex(whole);
        if (manifest != null && manifest.hasStreamSha256() && !actual.equals(manifest.sha256())) {
            throw new ChunkVerificationException("whole-stream SHA-256 mismatch (expected " + manifest.sha256()
                    + ", got " + actual + ") although every part matched: the manifest is inconsistent");
        }
    }

    /** Whether the parts are checked against a manifest as they are read. */
    public boolean verifies() {
        return manifest != null;
    }

    /** Where byte {@code offset} of the stream is: the part file's name and the byte in it (of the parts read so far). */
    public String place(long offset) {
        int at = 0;
        while (at + 1 < starts.size() && starts.get(at + 1) <= offset) {
            at++;
        }
        long start = starts.isEmpty() ? 0 : starts.get(at);
        return parts.get(at).getFileName() + " at byte " + (offset - start);
    }

    /** Reads the rest of the parts so every remaining part and the whole stream are verified. */
    public void drain() throws IOException {
        byte[] skip = new byte[256 * 1024];
        while (read(skip, 0, skip.length) >= 0) {
            // verification happens in read
        }
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
