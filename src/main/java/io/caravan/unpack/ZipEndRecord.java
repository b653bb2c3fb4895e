package io.caravan.unpack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What a zip's end of central directory record (or its Zip64 record, when the classic one points to it
 * with its 0xFFFF or 0xFFFFFFFF marks) says: how many entries the zip holds and how large its central
 * directory is, and where it starts ({@code directoryOffset}, as zip readers take it); {@code zip64} when the Zip64 record
 * said it (its count is then exact); {@code recordAt}, where the record that says so starts, before which the central
 * directory must end. Read from the last bytes of the file, before the central directory itself, so a zip too large
 * for the heap can be refused without reading it, and a damaged one said to be so with what is wrong.
 */
public record ZipEndRecord(long entries, long directoryBytes, boolean zip64, long directoryOffset, long recordAt) {

    private static final int END = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_END = 0x06064b50;
    private static final int END_SIZE = 22;
    private static final int MAX_COMMENT = 0xffff;

    /**
     * The record of {@code zip}, or empty when none is found (not a zip, or a damaged one: its reader says which).
     *
     * @throws java.util.zip.ZipException when the end record points to a Zip64 end record that is not where it says
     */
    public static Optional<ZipEndRecord> read(Path zip) throws IOException {
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            long size = channel.size();
            int tail = (int) Math.min(size, END_SIZE + MAX_COMMENT);
            ByteBuffer buffer = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, buffer, size - tail);
            for (int at = tail - END_SIZE; at >= 0; at--) {
                if (buffer.getInt(at) == END) {
                    return Optional.of(of(channel, buffer, at, size - tail + at));
                }
            }
            return Optional.empty();
        }
    }

    private static ZipEndRecord of(FileChannel channel, ByteBuffer buffer, int at, long position) throws IOException {
        long entries = Short.toUnsignedLong(buffer.getShort(at + 10));
        long directory = Integer.toUnsignedLong(buffer.getInt(at + 12));
        long offset = Integer.toUnsignedLong(buffer.getInt(at + 16));
        if (position >= 20) {
            // a Zip64 locator before the record is read as zip readers read it, with the classic record's 0xFFFF
            // marks or without them (writers may add the Zip64 records to a zip that does not need them)
            ByteBuffer locator = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, locator, position - 20);
            if (locator.getInt(0) == ZIP64_LOCATOR) {
                long zip64 = locator.getLong(8);
                ByteBuffer record = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
                boolean within = zip64 >= 0 && zip64 <= position - 20 - 56; // no sum: a locator may say 2^63 - 1
                if (within) {
                    readFully(channel, record, zip64);
                }
                if (!within || record.getInt(0) != ZIP64_END) {
                    throw new java.util.zip.ZipException("its Zip64 end record locator points at byte " + Long.toUnsignedString(zip64)
                            + ", where no Zip64 end record is (the " + (position - 20) + " bytes before the locator hold none there)");
                }
                // its counts stand for the classic record's marks
                long zip64Entries = record.getLong(32);
                long zip64Directory = record.getLong(40);
                long zip64Offset = record.getLong(48);
                return new ZipEndRecord(zip64Entries < 0 ? Long.MAX_VALUE : zip64Entries,
                        zip64Directory < 0 ? Long.MAX_VALUE : zip64Directory, true, zip64Offset < 0 ? Long.MAX_VALUE : zip64Offset, zip64);
            }
        }
        return new ZipEndRecord(entries, directory, false, offset, position);
    }

    /**
     * What is wrong with where this record places the central directory: anywhere but wholly before the record
     * itself (a damaged zip, or a record that is no zip's, such as one inside a comment); empty when nothing is.
     */
    public Optional<String> placementProblem() {
        if (directoryOffset <= recordAt && directoryBytes <= recordAt - directoryOffset) {
            return Optional.empty();
        }
        return Optional.of("its end record places its central directory of " + Long.toUnsignedString(directoryBytes)
                + " bytes at byte " + Long.toUnsignedString(directoryOffset) + ", which is not within the " + recordAt
                + " bytes before the record");
    }

    /** The signature of a central directory header. */
    private static final int DIRECTORY_HEADER = 0x02014b50;
    /** A central directory header's fixed part, before its name, extra field and comment. */
    private static final int DIRECTORY_HEADER_SIZE = 46;

    /**
     * What is wrong with {@code zip}'s central directory as this record places it, read header by header
     * (nothing of it kept): it runs past {@link #directoryBytes} (a zip reader reads headers for as long as they
     * come, so the size the heap bound was checked against would not bound it), or it holds more than
     * {@code maxEntries} headers; empty when neither. Headers that do not start at {@link #directoryOffset} are
     * left to the zip reader to judge.
     */
    public Optional<String> directoryProblem(Path zip, long maxEntries) throws IOException {
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ);
             java.io.InputStream in = new java.io.BufferedInputStream(
                     java.nio.channels.Channels.newInputStream(channel.position(Math.min(directoryOffset, channel.size()))), 1 << 16)) {
            ByteBuffer header = ByteBuffer.allocate(DIRECTORY_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            long bytes = 0;
            long headers = 0;
            while (in.readNBytes(header.array(), 0, DIRECTORY_HEADER_SIZE) == DIRECTORY_HEADER_SIZE
                    && header.getInt(0) == DIRECTORY_HEADER) {
                if (++headers > maxEntries) {
                    return Optional.of("its central directory holds more than " + maxEntries + " entries");
                }
                long variable = Short.toUnsignedLong(header.getShort(28)) + Short.toUnsignedLong(header.getShort(30))
                        + Short.toUnsignedLong(header.getShort(32));
                bytes += DIRECTORY_HEADER_SIZE + variable;
                if (bytes > directoryBytes) {
                    return Optional.of("its central directory runs past the " + directoryBytes + " bytes its end record"
                            + " declares (header " + headers + " ends at byte " + bytes + " of it)");
                }
                in.skipNBytes(variable);
            }
            return Optional.empty();
        } catch (java.io.EOFException e) {
            return Optional.empty(); // a header cut short: the zip reader says the zip is damaged
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        buffer.clear();
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new java.io.EOFException("the zip ends inside its end record");
            }
        }
    }
}
