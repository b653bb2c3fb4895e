package io.caravan.unpack;

import io.caravan.util.BulkInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A zstd stream (RFC 8878) split into its frames while their bytes pass through unchanged, so that a
 * decoder can take one frame at a time and the reader knows where each frame starts in the
 * compressed stream. Only the framing is read here: the magic number, the frame header (descriptor,
 * window, dictionary id, content size), each 3-byte block header with its block's size, and the
 * optional checksum; the blocks' content is passed on as it is, for the decoder. Skippable frames
 * are passed over. Nothing the stream says is trusted: a reserved bit, a dictionary (none is ever
 * used), a window above {@link #MAX_WINDOW} or a block above {@link #MAX_BLOCK} fails it with a
 * an {@link IOException}, as does a stream that ends inside a frame. Memory is a fixed few
 * bytes whatever the stream says, and every step consumes input, so hostile framing cannot loop.
 * The extraction reading through it turns these failures into a {@link DamagedStreamException}.
 */
public final class ZstdFrames {

    /** A zstd frame's magic number, little-endian in the stream. */
    static final int MAGIC = 0xFD2FB528;
    /** Skippable frames carry any of 16 magic numbers, {@code 0x184D2A50} to {@code 0x184D2A5F}. */
    private static final int SKIPPABLE = 0x184D2A50;
    /** The largest block zstd writes or reads (its Block_Maximum_Size). */
    static final int MAX_BLOCK = 128 * 1024;
    /** The largest window accepted: zstd's decoders refuse larger ones by default too (windowLogMax 27). */
    static final long MAX_WINDOW = 1L << 27;

    private final InputStream in;
    private final byte[] header = new byte[18];
    private long position;
    private long frameStart = -1;
    private Frame frame;
    private boolean ended;

    public ZstdFrames(InputStream in) {
        this.in = in;
    }

    /**
     * Moves to the next frame holding data, passing over what is left of the current one and any
     * skippable frames; false at the end of the stream (which may only come between frames).
     */
    public boolean next() throws IOException {
        if (frame != null) {
            frame.skipRest();
            frame = null;
        }
        while (!ended) {
            long start = position;
            int got = readUpTo(header, 0, 4);
            if (got == 0) {
                ended = true;
                return false;
            }
            if (got < 4) {
                throw damaged("the stream ends inside a frame's magic number at byte " + start);
            }
            int magic = littleEndian(header, 0, 4);
            if (magic == MAGIC) {
                frameStart = start;
                frame = new Frame(readFrameHeader(start));
                return true;
            }
            if ((magic & 0xFFFFFFF0) != SKIPPABLE) {
                throw damaged("no zstd frame starts at byte " + start);
            }
            readFully(header, 4, 4, start);
            skipExactly(Integer.toUnsignedLong(littleEndian(header, 4, 4)), start);
        }
        return false;
    }

    /** Where the current frame's magic number lies in the compressed stream; -1 before the first. */
    public long frameStart() {
        return frameStart;
    }

    /** The window the current frame's header declares (its content size for a single segment frame); -1 before the first. */
    public long frameWindow() {
        return frame == null ? -1 : frame.window;
    }

    /** Compressed bytes read so far. */
    public long position() {
        return position;
    }

    /**
     * The current frame's bytes, from its magic number to its last byte (the checksum, when it has
     * one): a stream that answers -1 at the frame's end. Closing it does not close the stream below.
     */
    public InputStream frame() {
        if (frame == null) {
            throw new IllegalStateException("no current frame: call next() first");
        }
        return frame;
    }

    /** Reads and checks the frame header after the magic number; answers its bytes' count (magic included), the block limit, the checksum's bytes and the window (-1: none given). */
    private long[] readFrameHeader(long start) throws IOException {
        readFully(header, 4, 1, start);
        int descriptor = header[4] & 0xff;
        int contentSizeFlag = descriptor >>> 6;
        boolean singleSegment = (descriptor & 0x20) != 0;
        boolean checksum = (descriptor & 0x04) != 0;
        int dictionaryFlag = descriptor & 0x03;
        if ((descriptor & 0x08) != 0) {
            throw damaged("the frame at byte " + start + " sets a reserved bit");
        }
        if (dictionaryFlag != 0) {
            throw damaged("the frame at byte " + start + " needs a dictionary");
        }
        int length = 5;
        long window = -1;
        if (!singleSegment) {
            readFully(header, length, 1, start);
            int descriptorByte = header[length++] & 0xff;
            int log = 10 + (descriptorByte >>> 3);
            long base = 1L << log;
            window = base + (base / 8) * (descriptorByte & 0x07);
        }
        int sizeBytes = switch (contentSizeFlag) {
            case 0 -> singleSegment ? 1 : 0;
            case 1 -> 2;
            case 2 -> 4;
            default -> 8;
        };
        if (sizeBytes > 0) {
            readFully(header, length, sizeBytes, start);
            long size = 0;
            for (int i = sizeBytes - 1; i >= 0; i--) {
                size = size << 8 | header[length + i] & 0xff;
            }
            if (sizeBytes == 2) {
                size += 256;
            }
            length += sizeBytes;
            if (singleSegment) {
                window = size < 0 ? Long.MAX_VALUE : size; // an 8-byte size above 2^63 is too large too
            }
        }
        if (window > MAX_WINDOW) {
            throw damaged("the frame at byte " + start + " asks for a window of " + window + " bytes");
        }
        return new long[] {length, Math.min(MAX_BLOCK, Math.max(window, 0)), checksum ? 4 : 0, window};
    }

    /** One frame's bytes, its headers parsed as they pass. */
    private final class Frame extends BulkInputStream {
        /** Header bytes still to pass on (the frame header, then each block header in turn). */
        private int headerAt;
        private int headerEnd;
        /** Bytes of block content (or of the checksum) still to pass on. */
        private long payload;
        private final long blockLimit;
        private final long checksumBytes;
        private final long window;
        private boolean lastBlockRead;
        private boolean done;

        Frame(long[] frameHeader) {
            this.headerEnd = (int) frameHeader[0];
            this.blockLimit = frameHeader[1];
            this.checksumBytes = frameHeader[2];
            this.window = frameHeader[3];
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (headerAt < headerEnd) {
                    int n = Math.min(len, headerEnd - headerAt);
                    System.arraycopy(header, headerAt, b, off, n);
                    headerAt += n;
                    return n;
                }
                if (payload > 0) {
                    int n = in.read(b, off, (int) Math.min(len, payload));
                    if (n < 0) {
                        throw damaged("the stream ends inside the frame at byte " + frameStart);
                    }
                    position += n;
                    payload -= n;
                    return n;
                }
                if (done) {
                    return -1;
                }
                if (lastBlockRead) {
                    done = true;
                    if (checksumBytes > 0) {
                        payload = checksumBytes;
                        continue;
                    }
                    return -1;
                }
                readBlockHeader();
            }
        }

        /** What can be read without waiting: a decoder reads on only while there is some. */
        @Override
        public int available() throws IOException {
            if (headerAt < headerEnd) {
                return headerEnd - headerAt;
            }
            return payload > 0 ? (int) Math.min(payload, in.available()) : 0;
        }

        private void readBlockHeader() throws IOException {
            readFully(header, 0, 3, frameStart);
            int value = littleEndian(header, 0, 3);
            lastBlockRead = (value & 1) != 0;
            int type = value >>> 1 & 0x03;
            long size = value >>> 3; // what a raw or compressed block holds, what an RLE block regenerates
            if (type == 3) {
                throw damaged("the frame at byte " + frameStart + " holds a block of the reserved type");
            }
            if (size > blockLimit) {
                throw damaged("the frame at byte " + frameStart + " holds a block of " + size + " bytes, more than "
                        + blockLimit);
            }
            headerAt = 0;
            headerEnd = 3;
            payload = type == 1 ? 1 : size; // an RLE block holds the one byte it repeats
        }

        /** Passes over what is left of the frame, checking its framing all the same. */
        void skipRest() throws IOException {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) {
                // framing checked as it passes
            }
        }

        @Override
        public void close() {
            // the stream below belongs to the frames
        }
    }

    private int readUpTo(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = in.read(b, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
            position += n;
        }
        return total;
    }

    private void readFully(byte[] b, int off, int len, long frame) throws IOException {
        if (readUpTo(b, off, len) < len) {
            throw damaged("the stream ends inside the frame at byte " + frame);
        }
    }

    private void skipExactly(long count, long frame) throws IOException {
        byte[] skip = new byte[8192];
        while (count > 0) {
            int n = in.read(skip, 0, (int) Math.min(skip.length, count));
            if (n < 0) {
                throw damaged("the stream ends inside the skippable frame at byte " + frame);
            }
            position += n;
            count -= n;
        }
    }

    private static int littleEndian(byte[] b, int off, int len) {
        int value = 0;
        for (int i = len - 1; i >= 0; i--) {
            value = value << 8 | b[off + i] & 0xff;
        }
        return value;
    }

    /** A framing failure, as a decoder's: the extraction names the entry it broke off in ({@link DamagedStreamException}). */
    private static IOException damaged(String why) {
        return new EOFException("zstd framing: " + why);
    }
}
