package io.caravan.pack;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A zstd stream whose level follows the link, segment by segment (fixed-size stretches of input).
 * A segment whose samples barely compress is written as a frame of raw blocks, costing no
 * compression; any other is compressed at the level {@link AdaptiveLevel} picks after each segment:
 * from {@link LinkWaits}, who waited for whom at the uploads, when the stream is shipped (no wait in
 * the segment's time, as before the first chunk, changes nothing), else from how long the compressor
 * worked and how long it waited on the stream below (back-pressure that reaches it only once the
 * buffers before the link are full). A
 * change of level or of mode ends the frame and starts another: the output is a series of zstd
 * frames that any zstd decoder reads as one stream. Each segment's choice is read from or recorded in
 * a {@link LevelLog} before the segment is written, so the same input and log give the same bytes.
 * Frames also end at some of the tar stream's entry boundaries it is told of ({@link RestartPoints},
 * chosen by {@link FrameCuts}): a frame of the same level (or a stored one) starts anew there, so a
 * reader may start decoding at an entry header; the segments and their levels stay as they were.
 * Closing writes the last segment and closes the stream below.
 */
public final class AdaptiveZstdOutputStream extends OutputStream implements RestartPoints {

    /** Bytes per sample for the compressibility check, three per segment. */
    static final int SAMPLE = 16 * 1024;
    /** Waits at the uploads, in nanoseconds, that a level decision needs: 5 ms. */
    static final long EVIDENCE = 5_000_000;
    private static final int MAX_BLOCK = 128 * 1024;
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    private final TimedOutput out;
    private final int workers;
    private final AdaptiveLevel levels;
    private final LevelLog log;
    private final LinkWaits waits;
    private final CpuLoad cpu;
    private final byte[] segment;
    /** Room for the largest sample: a short last segment, up to three samples long, is sampled whole. */
    private final byte[] sampleOut = new byte[(int) Zstd.compressBound(3 * SAMPLE)];
    private final FrameCuts cuts = new FrameCuts();
    private int filled;
    private int index;
    /** Input bytes before the current segment. */
    private long segmentStart;
    private ZstdOutputStreamNoFinalizer frame;
    private int frameLevel;
    private boolean framed;
    private boolean closed;
    private long compressedBytes;
    private long storedBytes;
    private long windowBusy;
    private long windowStalled;
    private long windowOut;
    private long windowLink;
    private long windowPacker;
    private long windowWireBytes;
    private long windowWireNanos;
    private long windowElapsed;
    /** Compressor output and busy time over the current window of waits, for {@link #follow}. */
    private long windowPacked;
    private long windowPackedNanos;

    public AdaptiveZstdOutputStream(OutputStream out, int workers, int segmentSize, AdaptiveLevel levels, LevelLog log) {
        this(out, workers, segmentSize, levels, log, LinkWaits.NONE);
    }

    /** A stream whose levels follow {@code waits}, noted by the shipping of its chunks. */
    public AdaptiveZstdOutputStream(OutputStream out, int workers, int segmentSize, AdaptiveLevel levels, LevelLog log,
                                    LinkWaits waits) {
        this(out, workers, segmentSize, levels, log, waits, CpuLoad.UNKNOWN);
    }

    /** As the constructor before, raising the level for a slow link only while {@code cpu} has some to spare. */
    public AdaptiveZstdOutputStream(OutputStream out, int workers, int segmentSize, AdaptiveLevel levels, LevelLog log,
                                    LinkWaits waits, CpuLoad cpu) {
        this.cpu = cpu;
        this.out = new TimedOutput(out);
        this.waits = waits;
        this.workers = workers;
        this.levels = levels;
        this.log = log;
        this.segment = new byte[segmentSize];
    }

    /** Input bytes that went through zstd's compressor, samples included. */
    public long compressedBytes() {
        return compressedBytes;
    }

    /** Input bytes written as raw blocks. */
    public long storedBytes() {
        return storedBytes;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, segment.length - filled);
            System.arraycopy(b, off, segment, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == segment.length) {
                writeSegment();
            }
        }
    }

    @Override
    public void entryEnds(long offset) {
        cuts.entryEnds(offset);
    }

    /** Segments are cut by size only, so a flush changes nothing in the stream. */
    @Override
    public void flush() {
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (filled > 0) {
                writeSegment();
            }
            endFrame();
            if (!framed) {
                openFrame(1).close(); // an empty input is still a valid zstd stream
            }
        } finally {
            if (frame != null) {
                frame.close();
            }
            out.target.close();
        }
    }

    private void writeSegment() throws IOException {
        while (cuts.next() >= 0 && cuts.next() < segmentStart) {
            cuts.reached(); // told late, after its bytes were written: no frame ends there
        }
        int level = levelFor(index);
        if (level == LevelLog.STORE) {
            endFrame();
            for (int from = 0, to; from < filled || cutAt(filled); from = to) {
                to = nextPieceEnd();
                if (to > from) {
                    writeRawFrame(segment, from, to - from);
                }
                passCut(to);
            }
            storedBytes += filled;
            follow(waits.take());
        } else {
            long stalledBefore = out.stalledNanos;
            long outBefore = out.bytes;
            long start = System.nanoTime();
            for (int from = 0, to; from < filled || cutAt(filled); from = to) {
                to = nextPieceEnd();
                if (to > from) {
                    if (frame == null || frameLevel != level) {
                        endFrame();
                        frame = openFrame(level);
                        frameLevel = level;
                    }
                    frame.write(segment, from, to - from);
                }
                passCut(to);
            }
            long stalled = out.stalledNanos - stalledBefore;
            compressedBytes += filled;
            if (waits.measuring()) {
                windowPacked += out.bytes - outBefore;
                windowPackedNanos += Math.max(0, System.nanoTime() - start - stalled);
                follow(waits.take());
            } else {
                observe(System.nanoTime() - start - stalled, stalled, out.bytes - outBefore);
            }
        }
        segmentStart += filled;
        index++;
        filled = 0;
    }

    /** Whether a chosen entry boundary lies at {@code position} of the segment. */
    private boolean cutAt(int position) {
        return cuts.next() == segmentStart + position;
    }

    /** Where the segment's next piece ends: at the next chosen entry boundary in it, else at its end. */
    private int nextPieceEnd() {
        long cut = cuts.next();
        return cut >= segmentStart && cut - segmentStart <= filled ? (int) (cut - segmentStart) : filled;
    }

    /** Ends the frame when a chosen entry boundary lies at {@code position}, so a new frame starts at the entry after it. */
    private void passCut(int position) throws IOException {
        if (cutAt(position)) {
            endFrame();
            cuts.reached();
        }
    }

    /** The recorded level of segment {@code i}, or the one chosen now (and recorded). */
    private int levelFor(int i) throws IOException {
        if (i < log.size()) {
            int recorded = log.level(i);
            if (recorded != LevelLog.STORE) {
                levels.reset(recorded);
            }
            return recorded;
        }
        int level = worthCompressing() ? levels.level() : LevelLog.STORE;
        log.record(i, level);
        return level;
    }

    /** Samples from the start, middle and end of the segment compress by at least 5 % (zstd level 1). */
    private boolean worthCompressing() {
        int[] offsets = filled <= 3 * SAMPLE ? new int[] {0} : new int[] {0, filled / 2 - SAMPLE / 2, filled - SAMPLE};
        long read = 0;
        long packed = 0;
        for (int offset : offsets) {
            int length = Math.min(filled <= 3 * SAMPLE ? filled : SAMPLE, filled - offset);
            long size = Zstd.compressByteArray(sampleOut, 0, sampleOut.length, segment, offset, length, 1);
            if (Zstd.isError(size)) {
                return true;
            }
            read += length;
            packed += size;
        }
        compressedBytes += read;
        return packed < read * Compressibility.INCOMPRESSIBLE;
    }

    /**
     * Feeds the controller the waits at the uploads once they add up to {@link #EVIDENCE}, more than
     * the noise of a single hand-over (a thread starting, a scheduler's time slice).
     */
    private void follow(LinkWaits.Stretch stretch) {
        windowLink += stretch.linkNanos();
        windowPacker += stretch.packerNanos();
        windowWireBytes += stretch.wireBytes();
        windowWireNanos += stretch.wireNanos();
        windowElapsed += stretch.elapsedNanos();
        if (windowLink + windowPacker < EVIDENCE) {
            return;
        }
        // the share of the window the wire was busy with bodies, when any body was timed
        double wireBusy = windowWireBytes > 0 && windowElapsed > 0 ? Math.min(1.0, (double) windowWireNanos / windowElapsed)
                : Double.NaN;
        // the wire's rate over the compressor's, when both were measured (not over stored segments alone)
        double wireOverPacked = windowWireBytes > 0 && windowWireNanos > 0 && windowPacked > 0 && windowPackedNanos > 0
                ? (windowWireBytes / (double) windowWireNanos) / (windowPacked / (double) windowPackedNanos) : Double.NaN;
        levels.follow(windowLink, windowPacker, wireBusy, wireOverPacked, cpu.busy());
        windowLink = 0;
        windowPacker = 0;
        windowWireBytes = 0;
        windowWireNanos = 0;
        windowElapsed = 0;
        windowPacked = 0;
        windowPackedNanos = 0;
    }

    /** Feeds the controller once the window holds some output (zstd's workers hand it out in jobs). */
    private void observe(long busy, long stalled, long produced) {
        windowBusy += Math.max(0, busy);
        windowStalled += stalled;
        windowOut += produced;
        if (windowOut < segment.length / 8) {
            return;
        }
        double seconds = Math.max(windowBusy, 1) / 1e9;
        levels.observe(windowOut / seconds, windowOut / ((Math.max(windowBusy, 1) + windowStalled) / 1e9));
        windowBusy = 0;
        windowStalled = 0;
        windowOut = 0;
    }

    private ZstdOutputStreamNoFinalizer openFrame(int level) throws IOException {
        ZstdOutputStreamNoFinalizer zstd = ZstdCodec.frame(out, level, workers);
        framed = true;
        return zstd;
    }

    private void endFrame() throws IOException {
        if (frame != null) {
            ZstdOutputStreamNoFinalizer ending = frame;
            frame = null;
            ending.close(); // ends the frame; the stream below stays open
        }
    }

    /** A zstd frame of raw blocks (RFC 8878 §3.1.1): single segment, its size in four bytes, no checksum. */
    private void writeRawFrame(byte[] data, int offset, int length) throws IOException {
        byte[] header = {ZSTD_MAGIC[0], ZSTD_MAGIC[1], ZSTD_MAGIC[2], ZSTD_MAGIC[3], (byte) 0xa0,
                (byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)};
        out.write(header, 0, header.length);
        int position = 0;
        do {
            int n = Math.min(MAX_BLOCK, length - position);
            int block = n << 3 | (position + n == length ? 1 : 0); // block type 0: raw
            out.write(new byte[] {(byte) block, (byte) (block >>> 8), (byte) (block >>> 16)}, 0, 3);
            out.write(data, offset + position, n);
            position += n;
        } while (position < length);
        framed = true;
    }

    /** The stream below, timed: how long writes to it waited. Closing it leaves the stream below open. */
    private static final class TimedOutput extends OutputStream {
        final OutputStream target;
        long stalledNanos;
        long bytes;

        TimedOutput(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long start = System.nanoTime();
            target.write(b, off, len);
            stalledNanos += System.nanoTime() - start;
            bytes += len;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
