package io.caravan.unpack;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * What an extraction's state gains entry by entry, appended to a file, so that an extraction resumed
 * at a checkpoint starts with exactly the state it had there: the folders it knows to be real, the
 * folders whose mode and mtime it applies at the end, the symbolic links it re-checks at the end,
 * and the files it reported. A checkpoint records the journal's length ({@link #length}, after
 * {@link #flush}, which hands what is buffered to the kernel: a crash of the process keeps it); a
 * resumed extraction cuts the journal back to that length and replays it ({@link #replay}). Paths
 * are relative to the extraction's root. {@link #NONE} keeps nothing, for an extraction that is
 * never resumed.
 */
public class ExtractionJournal implements AutoCloseable {

    /** Keeps nothing. */
    public static final ExtractionJournal NONE = new ExtractionJournal();

    private static final int REAL_DIR = 'R';
    private static final int DIR_META = 'D';
    private static final int SYMLINK = 'S';
    private static final int REPORTED = 'F';

    /** What a replay hands back, record by record. */
    public interface Replay {
        void realDir(String relative);

        void dirMeta(String relative, int mode, FileTime mtime) throws IOException;

        void symlink(String relative) throws IOException;

        void reported(String name, String sha256, long size);
    }

    private final DataOutputStream out;
    private long length;

    private ExtractionJournal() {
        this.out = null;
    }

    private ExtractionJournal(DataOutputStream out, long length) {
        this.out = out;
        this.length = length;
    }

    /**
     * The journal in {@code file}, cut back to its first {@code keep} bytes (0: a new journal), with
     * those bytes replayed into {@code replay} first; what is appended follows them.
     */
    public static ExtractionJournal open(Path file, long keep, Replay replay) throws IOException {
        if (keep > 0) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) < keep) {
                throw new IOException("the extraction journal " + file + " holds less than the checkpoint's " + keep + " bytes");
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                replay(new DataInputStream(new java.io.BufferedInputStream(in, 64 * 1024)), keep, replay);
            }
        }
        var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
            channel.truncate(keep);
            channel.position(keep);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new ExtractionJournal(new DataOutputStream(new BufferedOutputStream(
                java.nio.channels.Channels.newOutputStream(channel), 64 * 1024)), keep);
    }

    private static void replay(DataInputStream in, long keep, Replay replay) throws IOException {
        CountingData data = new CountingData(in);
        while (data.read < keep) {
            int type = data.in.readUnsignedByte();
            data.read++;
            switch (type) {
                case REAL_DIR -> replay.realDir(data.utf());
                case DIR_META -> replay.dirMeta(data.utf(), data.integer(),
                        FileTime.from(Instant.ofEpochSecond(data.number(), data.integer())));
                case SYMLINK -> replay.symlink(data.utf());
                case REPORTED -> {
                    String name = data.utf();
                    String sha256 = data.utf();
                    replay.reported(name, sha256.isEmpty() ? null : sha256, data.number());
                }
                default -> throw new IOException("the extraction journal holds a record of unknown type " + type);
            }
        }
        if (data.read != keep) {
            throw new EOFException("the extraction journal's checkpoint falls inside a record");
        }
    }

    public void realDir(String relative) throws IOException {
        if (out != null) {
            record(REAL_DIR);
            utf(relative);
        }
    }

    public void dirMeta(String relative, int mode, FileTime mtime) throws IOException {
        if (out != null) {
            Instant at = mtime.toInstant();
            record(DIR_META);
            utf(relative);
            out.writeInt(mode);
            out.writeLong(at.getEpochSecond());
            out.writeInt(at.getNano());
            length += 16;
        }
    }

    public void symlink(String relative) throws IOException {
        if (out != null) {
            record(SYMLINK);
            utf(relative);
        }
    }

    public void reported(String name, String sha256, long size) throws IOException {
        if (out != null) {
            record(REPORTED);
            utf(name);
            utf(sha256 == null ? "" : sha256);
            out.writeLong(size);
            length += 8;
        }
    }

    /** Hands what is buffered to the kernel (no fsync: a crash of the process keeps it, a power loss may not). */
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /** The journal's length in bytes, what is buffered included. */
    public long length() {
        return length;
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }

    private void record(int type) throws IOException {
        out.writeByte(type);
        length++;
    }

    private void utf(String text) throws IOException {
        out.writeUTF(text);
        length += utfLength(text);
    }

    /** The bytes {@link DataOutputStream#writeUTF} writes for {@code text}: its length, then modified UTF-8. */
    private static long utfLength(String text) {
        long length = 2;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            length += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
        }
        return length;
    }

    /** Reads a journal, counting the bytes it read. */
    private static final class CountingData {
        final DataInputStream in;
        long read;

        CountingData(DataInputStream in) {
            this.in = in;
        }

        String utf() throws IOException {
            String text = in.readUTF();
            read += utfLength(text);
            return text;
        }

        int integer() throws IOException {
            read += 4;
            return in.readInt();
        }

        long number() throws IOException {
            read += 8;
            return in.readLong();
        }
    }
}
