package io.caravan.unpack;

import io.caravan.fs.NameRules;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * Stands between a tar stream and the tar reader, which holds the whole body of some headers in
 * memory: a GNU long name ({@code L}) or long link ({@code K}), a PAX extended header ({@code x}),
 * its Solaris/star form ({@code X}) and a PAX global header ({@code g}). A few KB of gzip can declare
 * 60 MiB of such a name, enough to exhaust a small heap. The extraction calls {@link #headersStart}
 * before it asks the reader for the next entry (with the previous entry's content already read or
 * skipped) and {@link #headersEnd()} after: in between the reader reads only header blocks, the bodies
 * of those headers and sparse maps. The guard parses each header block as it passes (octal or
 * base-256 sizes) and refuses, before the body is read:
 * <ul>
 *   <li>one of those headers that declares more than {@link #MAX_HEADER_BODY} bytes;</li>
 *   <li>PAX global headers that add up to more than {@link #MAX_GLOBAL_PAX} bytes in one archive
 *       (the reader keeps them for every later entry);</li>
 *   <li>more than {@link #MAX_HEADERS_PER_ENTRY} bytes read for the headers of one entry (a chain
 *       of headers each within its limit, old GNU sparse extension blocks, a PAX sparse map): also
 *       the bound when a malformed entry (a sparse map that does not cover its size) leaves the reader
 *       reading its next header where the guard does not expect one.</li>
 * </ul>
 * It also gathers the bytes of each entry's name and link target as they pass ({@link TarNameBytes}) and,
 * once the reader has returned the entry, refuses one whose name or link target is not UTF-8, which the
 * reader would decode with {@code ?} or U+FFFD in place of the bytes.
 * <p>
 * It also notes whether the stream ended with a whole end-of-archive marker, two zero blocks where a
 * header was due ({@link #endedWithMarker}): the reader takes a stream that simply stops, even inside
 * its first header, for the end of a complete archive.
 * <p>
 * Other header types (Solaris ACLs {@code A}, extended attributes {@code E}, volume labels …) are
 * ordinary entries to the reader, their content streamed or skipped, never held: they pass. Outside
 * the headers the guard only counts bytes. Not thread-safe: the extracting thread alone reads it.
 * <p>
 * Commons Compress 1.28.0 (the version Caravan uses) has no option that bounds these headers: its
 * {@code TarArchiveInputStream} has no builder and reads a long name or PAX header until its declared
 * size whatever that is.
 */
final class TarHeaderGuard extends FilterInputStream {

    /** Bytes one GNU long-name/long-link, PAX or Solaris extended header may declare. */
    static final int MAX_HEADER_BODY = 64 * 1024;
    /** Bytes all PAX global headers of one archive may declare together. */
    static final long MAX_GLOBAL_PAX = 256 * 1024;
    /** Bytes read for the headers in front of one entry, its sparse map included. */
    static final long MAX_HEADERS_PER_ENTRY = 1 << 20;

    private static final int BLOCK = 512;
    private static final int SIZE_OFFSET = 124;
    private static final int SIZE_LENGTH = 12;
    private static final int TYPE_OFFSET = 156;

    private final byte[] header = new byte[BLOCK];
    private final byte[] scratch = new byte[BLOCK];
    /** Offset in the tar stream of the next byte read. */
    private long position;
    private boolean inHeaders;
    private long headerBytes;
    /** Offset of the next header block while between headers, -1 once the entry's own header passed. */
    private long nextHeader = -1;
    private long globalPax;
    private final TarNameBytes names = new TarNameBytes();
    /** The bodies of the extended headers of the current entry that name it, while they pass. */
    private final java.util.List<Body> bodies = new java.util.ArrayList<>();
    private final byte[] entryHeader = new byte[BLOCK];
    private boolean entryHeaderSeen;

    /** A block where a header was due that is none: the data is not (or no longer) a tar stream. */
    static final class NotATarHeaderException extends IOException {
        NotATarHeaderException(String message) {
            super(message);
        }
    }

    /** The body of one extended header: {@code length} bytes from {@code start} in the tar stream. */
    private record Body(byte type, long start, byte[] bytes) {
    }
    /** Zero blocks judged one after the other where a header was due. */
    private int zeroBlocks;

    TarHeaderGuard(InputStream tar) {
        super(tar);
    }

    /**
     * The reader is about to read the headers of the entry after {@code current} (null: the first),
     * whose content it has read or skipped: the next header starts after the padding the reader skips,
     * which it reckons as its {@code skipRecordPadding} does, from the entry's size (none for a folder).
     */
    void headersStart(TarArchiveEntry current) {
        inHeaders = true;
        headerBytes = 0;
        names.clear();
        bodies.clear();
        entryHeaderSeen = false;
        long size = current == null || current.isDirectory() ? 0 : current.getSize();
        nextHeader = position + (size > 0 && size % BLOCK != 0 ? BLOCK - size % BLOCK : 0);
    }

    /** Whether the last headers read ended in the two zero blocks that close a tar archive. */
    boolean endedWithMarker() {
        return zeroBlocks >= 2;
    }

    /** The reader has returned the next entry (or the end): its content passes unparsed. */
    void headersEnd() {
        inHeaders = false;
        nextHeader = -1;
        for (Body body : bodies) {
            names.body(body.type(), body.bytes());
        }
        bodies.clear();
        if (entryHeaderSeen) {
            names.refuseNotUtf8(entryHeader, entryHeader[TYPE_OFFSET]);
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            scratch[0] = (byte) b;
            passed(scratch, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            passed(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (!inHeaders) {
            long skipped = super.skip(n);
            position += Math.max(0, skipped);
            return skipped;
        }
        // between headers every byte is looked at: padding is read, not skipped
        int k = super.read(scratch, 0, (int) Math.min(n, scratch.length));
        if (k <= 0) {
            return 0;
        }
        passed(scratch, 0, k);
        return k;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    private void passed(byte[] b, int off, int n) throws NotATarHeaderException {
        long start = position;
        position += n;
        if (!inHeaders) {
            return;
        }
        headerBytes += n;
        // a header block is judged once its last byte has passed, before any byte of its body
        while (nextHeader >= 0 && nextHeader < position) {
            long from = Math.max(start, nextHeader);
            long to = Math.min(position, nextHeader + BLOCK);
            System.arraycopy(b, off + (int) (from - start), header, (int) (from - nextHeader), (int) (to - from));
            if (to < nextHeader + BLOCK) {
                break;
            }
            judgeHeader();
        }
        for (Body body : bodies) {
            long from = Math.max(start, body.start());
            long to = Math.min(position, body.start() + body.bytes().length);
            if (from < to) {
                System.arraycopy(b, off + (int) (from - start), body.bytes(), (int) (from - body.start()), (int) (to - from));
            }
        }
        if (headerBytes > MAX_HEADERS_PER_ENTRY) {
            throw new UnsafeEntryException(name(), "the tar headers of one entry take more than " + MAX_HEADERS_PER_ENTRY
                    + " bytes (at byte " + position + " of the tar stream): the archive is refused before they are read"
                    + " into memory");
        }
    }

    /** Judges the header block at {@code nextHeader} and moves {@code nextHeader} past it (and its body). */
    private void judgeHeader() throws NotATarHeaderException {
        long at = nextHeader;
        if (allZero(header)) {
            zeroBlocks++;
            nextHeader += BLOCK; // the end of the archive: the reader reads a second zero block
            return;
        }
        zeroBlocks = 0;
        byte type = header[TYPE_OFFSET];
        String kind = kind(type);
        if (!TarUtils.verifyCheckSum(header)) { // unsigned or signed sum, as tar readers check it
            // no tar header (its checksum is not its bytes' sum), so nothing it says can be taken: not its type (a
            // self-extracting zip's stub, random data), nor its name (one bit flipped in it), which the reader, not
            // looking at the checksum, would take: refused as data that is no tar (GNU tar refuses it too), before
            // the reader reads the body the block would declare
            throw new NotATarHeaderException("the block at byte " + at + " of the tar stream is no tar header (its"
                    + " checksum does not hold)");
        }
        if (kind == null) {
            nextHeader = -1; // the entry's own header: what follows is its content (or sparse map)
            System.arraycopy(header, 0, entryHeader, 0, BLOCK);
            entryHeaderSeen = true;
            return;
        }
        long size = size(header);
        if (size < 0 || size > MAX_HEADER_BODY) {
            throw new UnsafeEntryException(name(), "its " + kind + " (type '" + (char) type + "', at byte " + at
                    + " of the tar stream) declares " + (size < 0 ? "an unreadable or negative size" : size + " bytes")
                    + "; at most " + MAX_HEADER_BODY + " bytes are read for one header, so the archive is refused before"
                    + " reading it (a name or link target of that size cannot be a real one)");
        }
        if (type == 'g') {
            globalPax += size;
            if (globalPax > MAX_GLOBAL_PAX) {
                throw new UnsafeEntryException(name(), "the PAX global headers of this archive declare more than "
                        + MAX_GLOBAL_PAX + " bytes together (at byte " + at + " of the tar stream), more than the"
                        + " reader keeps for the entries after them");
            }
        }
        if (type != 'g') {
            bodies.add(new Body(type, at + BLOCK, new byte[(int) size]));
        }
        nextHeader = at + BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    /** The headers the tar reader reads whole into memory, described for a message; null for the others. */
    private static String kind(byte type) {
        return switch (type) {
            case 'L' -> "GNU long-name header";
            case 'K' -> "GNU long-link header";
            case 'x' -> "PAX extended header";
            case 'X' -> "Solaris/star extended header";
            case 'g' -> "PAX global header";
            default -> null;
        };
    }

    /** The size field: octal digits (leading spaces or NULs allowed), or base-256 when its first byte has the high bit; -1 if unreadable. */
    static long size(byte[] block) {
        int end = SIZE_OFFSET + SIZE_LENGTH;
        if ((block[SIZE_OFFSET] & 0x80) != 0) {
            if (block[SIZE_OFFSET] != (byte) 0x80) {
                return -1; // negative (0xff) or malformed
            }
            long value = 0;
            for (int i = SIZE_OFFSET + 1; i < end; i++) {
                if ((value >>> 55) != 0) {
                    return Long.MAX_VALUE;
                }
                value = (value << 8) | (block[i] & 0xff);
            }
            return value;
        }
        int i = SIZE_OFFSET;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        long value = 0;
        for (; i < end && block[i] != ' ' && block[i] != 0; i++) {
            if (block[i] < '0' || block[i] > '7') {
                return -1;
            }
            value = (value << 3) | (block[i] - '0');
        }
        return value;
    }

    /** The name field of the header last looked at, printable, for the refusal. */
    private String name() {
        int length = 0;
        while (length < 100 && header[length] != 0) {
            length++;
        }
        String name = NameRules.printable(new String(header, 0, length, StandardCharsets.UTF_8));
        return name.isEmpty() ? "(tar header without a name)" : name;
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
