package io.caravan.unpack;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;

/**
 * One zip entry's content as it is extracted, checked against what the central directory says of it
 * once it has been written ({@link #verify}): it must end exactly at the declared size and its CRC-32
 * must be the declared one. Commons Compress's {@code ZipFile} checks neither: it stops at the declared
 * size and never compares checksums.
 */
final class ZipEntryContent extends FilterInputStream {

    private final ZipArchiveEntry entry;
    private final CRC32 crc = new CRC32();
    private long read;

    ZipEntryContent(ZipArchiveEntry entry, InputStream content) {
        super(content);
        this.entry = entry;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            crc.update(b);
            read++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            crc.update(buffer, offset, n);
            read += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        int skipped = read(new byte[(int) Math.min(8192, n)]); // every byte is read, so that it is checked
        return Math.max(skipped, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /**
     * Reads what the extraction left of the entry and refuses it, naming it, when its content does not
     * end at the declared size or its CRC-32 is not the declared one.
     */
    void verify() throws IOException {
        long declared = entry.getSize();
        byte[] rest = new byte[8192];
        int n;
        while ((n = read(rest, 0, rest.length)) >= 0) {
            if (declared >= 0 && read > declared) {
                throw new DamagedEntryException(entry.getName(), "it holds more than the " + declared + " bytes the zip declares");
            }
        }
        if (declared >= 0 && read != declared) {
            throw new DamagedEntryException(entry.getName(), "it holds " + read + " bytes, the zip declares " + declared);
        }
        long expected = entry.getCrc();
        if (expected >= 0 && crc.getValue() != expected) {
            throw new DamagedEntryException(entry.getName(), String.format("its CRC-32 is %08x, the zip says %08x",
                    crc.getValue(), expected));
        }
    }
}
