package io.caravan.pack;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The {@code zstd} codec's stream for a parcel: one level throughout, in frames that end at the tar
 * stream's entry boundaries {@link FrameCuts} chooses, so a reader may start decoding at an entry
 * header there ({@link RestartPoints}). Any zstd decoder reads the frames as one stream. Closing ends
 * the last frame and closes the stream below.
 */
final class EntryFramedZstdOutputStream extends OutputStream implements RestartPoints {

    private final OutputStream out;
    private final int level;
    private final int workers;
    private final FrameCuts cuts = new FrameCuts();
    private ZstdOutputStreamNoFinalizer frame;
    private boolean framed;
    private long written;
    private boolean closed;

    EntryFramedZstdOutputStream(OutputStream out, int level, int workers) {
        this.out = out;
        this.level = level;
        this.workers = workers;
    }

    @Override
    public void entryEnds(long offset) throws IOException {
        cuts.entryEnds(offset);
        if (offset == written) {
            endFrameAtCut(); // every byte before the boundary is in: end the frame now
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            long cut = cuts.next();
            int n = cut > written && cut - written < len ? (int) (cut - written) : len;
            if (frame == null) {
                frame = ZstdCodec.frame(new NonClosing(out), level, workers);
                framed = true;
            }
            frame.write(b, off, n);
            written += n;
            off += n;
            len -= n;
            endFrameAtCut();
        }
    }

    /** Ends the frame when the input reached the next chosen boundary. */
    private void endFrameAtCut() throws IOException {
        long cut = cuts.next();
        while (cut >= 0 && cut <= written) {
            if (cut == written && frame != null) {
                ZstdOutputStreamNoFinalizer ending = frame;
                frame = null;
                ending.close();
            }
            cuts.reached();
            cut = cuts.next();
        }
    }

    @Override
    public void flush() throws IOException {
        if (frame != null) {
            frame.flush();
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (frame != null) {
                frame.close();
            } else if (!framed) {
                ZstdCodec.frame(new NonClosing(out), level, workers).close(); // an empty input is still a valid zstd stream
            }
        } finally {
            frame = null;
            out.close();
        }
    }

    /** The stream below, left open when a frame ends (its flushes pass). */
    private static final class NonClosing extends FilterOutputStream {

        NonClosing(OutputStream target) {
            super(target);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
        }
    }
}
