package io.caravan.unpack;

import io.caravan.pack.DecoderMemory;
import io.caravan.pack.ZstdCodec;
import io.caravan.util.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A zstd stream decoded one frame at a time ({@link ZstdFrames}), each frame by a decoder of its own
 * that ends at the frame's end, so that where each frame starts is known on both sides: in the
 * compressed stream and in the decoded one. A reader that meets an entry header at a decoded offset
 * where a frame started ({@link #frameStartingAt}) can resume the stream there later by decoding from
 * that frame's compressed offset, with nothing of the stream before it. Each frame's checksum, when it
 * has one, is checked by its decoder. The starts of the last {@link #REMEMBERED} frames are kept (a
 * reader running behind the decoder, through a prefetch stage, still finds them); the rest are dropped.
 * A frame asking for a window above the decoder memory it is given is refused ({@link DecoderLimitException}).
 * Safe for one thread decoding and another asking {@link #frameStartingAt}.
 */
public final class ZstdFrameDecoder extends BulkInputStream {

    /** Where a frame starts: {@code compressed} bytes into the stream, {@code decoded} bytes into its output. */
    public record FrameStart(long compressed, long decoded) {
    }

    /** How many frame starts are remembered. */
    static final int REMEMBERED = 64;

    private final ZstdFrames frames;
    private final long compressedBase;
    private final DecoderMemory memory;
    private final Deque<FrameStart> starts = new ArrayDeque<>();
    private InputStream frame;
    private long decoded;
    private boolean ended;

    /** Decodes {@code in} from its first byte, each frame within half the heap. */
    public ZstdFrameDecoder(InputStream in) {
        this(in, 0, 0, DecoderMemory.ONE_OF_HEAP);
    }

    /**
     * Decodes {@code in}, which begins at a frame start {@code compressedBase} bytes into a longer
     * stream whose decoded output there was {@code decodedBase} bytes long: offsets are the longer stream's.
     * Each frame is decoded within {@code memory}.
     */
    public ZstdFrameDecoder(InputStream in, long compressedBase, long decodedBase, DecoderMemory memory) {
        this.frames = new ZstdFrames(in);
        this.compressedBase = compressedBase;
        this.memory = memory;
        this.decoded = decodedBase;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (frame == null && !openNext()) {
                return -1;
            }
            int n = frame.read(b, off, len);
            if (n > 0) {
                synchronized (starts) {
                    decoded += n;
                }
                return n;
            }
            if (n < 0) {
                frame.close();
                frame = null;
            }
        }
    }

    private boolean openNext() throws IOException {
        if (ended || !frames.next()) {
            ended = true;
            return false;
        }
        synchronized (starts) {
            if (starts.size() == REMEMBERED) {
                starts.removeFirst();
            }
            starts.addLast(new FrameStart(compressedBase + frames.frameStart(), decoded));
        }
        frame = ZstdCodec.decoder(frames.frame(), frames.frameWindow(), memory); // a frame cut short is an error, not the end
        return true;
    }

    @Override
    public int available() throws IOException {
        return frame == null ? 0 : frame.available();
    }

    /** Decoded bytes handed out so far (with the base the decoder started from). */
    public long decoded() {
        synchronized (starts) {
            return decoded;
        }
    }

    /**
     * The frame that starts at {@code decodedOffset} of the output, if one of those remembered does;
     * starts before it are forgotten (offsets only grow). Null when no frame starts exactly there.
     */
    public FrameStart frameStartingAt(long decodedOffset) {
        synchronized (starts) {
            while (!starts.isEmpty() && starts.peekFirst().decoded() < decodedOffset) {
                starts.removeFirst();
            }
            FrameStart first = starts.peekFirst();
            return first != null && first.decoded() == decodedOffset ? first : null;
        }
    }

    @Override
    public void close() throws IOException {
        if (frame != null) {
            frame.close();
            frame = null;
        }
    }
}
