package io.caravan.unpack;

import io.caravan.fs.NameRules;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes an entry's name and link target have in a tar stream, gathered by {@link TarHeaderGuard} as
 * the headers of one entry pass: the bodies of a GNU long name ({@code L}) or long link ({@code K}), the
 * {@code path} and {@code linkpath} records of a PAX extended header ({@code x}, {@code X}), and the name,
 * prefix and link fields of the entry's own header block when no such header gave them. The tar reader
 * decodes names leniently (a byte that is not UTF-8 becomes {@code ?} or U+FFFD), so two names that differ
 * only in such bytes would land on one file: {@link #refuseNotUtf8} refuses the entry instead, naming its
 * bytes ({@code top/a\xffb}). At most {@link TarHeaderGuard#MAX_HEADERS_PER_ENTRY} bytes are held.
 */
final class TarNameBytes {

    private static final int NAME_LENGTH = 100;
    private static final int LINK_OFFSET = 157;
    private static final int MAGIC_OFFSET = 257;
    private static final int PREFIX_OFFSET = 345;
    private static final int PREFIX_LENGTH = 155;

    private byte[] longName;
    private byte[] longLink;
    private byte[] paxPath;
    private byte[] paxLink;

    /** Forgets what the previous entry's headers held. */
    void clear() {
        longName = longLink = paxPath = paxLink = null;
    }

    /** The whole body of an extended header of {@code type} ({@code L}, {@code K}, {@code x} or {@code X}). */
    void body(byte type, byte[] body) {
        switch (type) {
            case 'L' -> longName = untilNul(body, 0, body.length);
            case 'K' -> longLink = untilNul(body, 0, body.length);
            case 'x', 'X' -> pax(body);
            default -> {
                // other headers name nothing
            }
        }
    }

    /**
     * Refuses the entry whose own header block is {@code header} when its name or link target, as the
     * reader takes it, is not UTF-8.
     */
    void refuseNotUtf8(byte[] header, byte type) {
        byte[] name = paxPath != null ? paxPath : longName != null ? longName : headerName(header);
        if (!NameRules.utf8(name)) {
            throw new UnsafeEntryException(NameRules.shownBytes(name), "its name is not UTF-8");
        }
        if (type != '1' && type != '2') {
            return;
        }
        byte[] link = paxLink != null ? paxLink : longLink != null ? longLink
                : untilNul(header, LINK_OFFSET, LINK_OFFSET + NAME_LENGTH);
        if (!NameRules.utf8(link)) {
            throw new UnsafeEntryException(NameRules.shownBytes(name), "its link target '" + NameRules.shownBytes(link)
                    + "' is not UTF-8");
        }
    }

    private static byte[] headerName(byte[] header) {
        byte[] name = untilNul(header, 0, NAME_LENGTH);
        boolean ustar = Arrays.equals(header, MAGIC_OFFSET, MAGIC_OFFSET + 6,
                "ustar\0".getBytes(StandardCharsets.US_ASCII), 0, 6);
        byte[] prefix = ustar ? untilNul(header, PREFIX_OFFSET, PREFIX_OFFSET + PREFIX_LENGTH) : new byte[0];
        if (prefix.length == 0) {
            return name;
        }
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        joined.writeBytes(prefix);
        joined.write('/');
        joined.writeBytes(name);
        return joined.toByteArray();
    }

    /** Keeps the values of the {@code path} and {@code linkpath} records ({@code "<length> <key>=<value>\n"}). */
    private void pax(byte[] body) {
        int at = 0;
        while (at < body.length) {
            int space = at;
            int length = 0;
            while (space < body.length && body[space] >= '0' && body[space] <= '9' && length < body.length) {
                length = length * 10 + (body[space++] - '0');
            }
            if (space >= body.length || body[space] != ' ' || length <= space - at || at + length > body.length) {
                return; // malformed: the reader refuses it itself
            }
            int end = at + length - 1; // the record's '\n'
            int equals = space + 1;
            while (equals < end && body[equals] != '=') {
                equals++;
            }
            String key = new String(body, space + 1, equals - space - 1, StandardCharsets.US_ASCII);
            byte[] value = equals < end ? Arrays.copyOfRange(body, equals + 1, end) : new byte[0];
            if (key.equals("path")) {
                paxPath = value;
            } else if (key.equals("linkpath")) {
                paxLink = value;
            }
            at += length;
        }
    }

    private static byte[] untilNul(byte[] bytes, int from, int to) {
        int end = from;
        while (end < to && bytes[end] != 0) {
            end++;
        }
        return Arrays.copyOfRange(bytes, from, end);
    }
}
