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
 * directory is; {@code zip64} when the Zip64 record said it (its count is then exact). Read from the last bytes of the file,
 * before the central directory itself, so a zip too large for the heap can be refused without reading it.
 */
public record ZipEndRecord(long entries, long directoryBytes, boolean zip64) {

    private static final int END = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_END = 0x06064b50;
    private static final int END_SIZE = 22;
    private static final int MAX_COMMENT = 0xffff;

    /** The record of {@code zip}, or empty when none is found (not a zip, or a damaged one: its reader says which). */
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
        if (position >= 20 && (entries == 0xffff || directory == 0xffffffffL)) {
            ByteBuffer locator = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, locator, position - 20);
            if (locator.getInt(0) == ZIP64_LOCATOR) {
                long zip64 = locator.getLong(8);
                ByteBuffer record = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
                if (zip64 >= 0 && zip64 + 56 <= position) {
                    readFully(channel, record, zip64);
                    if (record.getInt(0) == ZIP64_END) { // its counts stand for the classic record's marks
                        long zip64Entries = record.getLong(32);
                        long zip64Directory = record.getLong(40);
                        return new ZipEndRecord(zip64Entries < 0 ? Long.MAX_VALUE : zip64Entries,
                                zip64Directory < 0 ? Long.MAX_VALUE : zip64Directory, true);
                    }
                }
            }
        }
        return new ZipEndRecord(entries, directory, false);
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
