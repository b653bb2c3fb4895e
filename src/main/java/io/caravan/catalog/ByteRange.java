package io.caravan.catalog;

import io.caravan.session.RequestRejectedException;
import java.util.Map;

/**
 * The one byte range a {@code Range: bytes=...} header asks for within a file of {@code total} bytes
 * ({@code first-last}, {@code first-} or {@code -suffix}); {@code null} means the whole file (no header,
 * another unit, or several ranges, which a server may answer whole). A range that starts at or past
 * the end is unsatisfiable: 416.
 */
public record ByteRange(long start, long length, long total) {

    public static ByteRange parse(String header, long total) {
        if (header == null || !header.trim().startsWith("bytes=") || header.contains(",")) {
            return null;
        }
        String spec = header.trim().substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String first = spec.substring(0, dash).trim();
            String last = spec.substring(dash + 1).trim();
            if (first.isEmpty()) {
                long suffix = position(last);
                if (suffix <= 0 || total == 0) {
                    throw unsatisfiable(header, total);
                }
                long length = Math.min(suffix, total);
                return new ByteRange(total - length, length, total);
            }
            long start = position(first);
            long end = last.isEmpty() ? total - 1 : Math.min(position(last), total - 1);
            if (start >= total || end < start) {
                throw unsatisfiable(header, total);
            }
            return new ByteRange(start, end - start + 1, total);
        } catch (NumberFormatException e) {
            return null; // not a range we understand: the whole file
        }
    }

    /** A position as RFC 9110 writes it, digits only ({@code Long.parseLong} also takes a sign). */
    private static long position(String digits) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException("not a byte position: " + digits);
        }
        return Long.parseLong(digits);
    }

    /** The {@code Content-Range} value of this range. */
    public String contentRange() {
        return "bytes " + start + "-" + (start + length - 1) + "/" + total;
    }

    private static RequestRejectedException unsatisfiable(String header, long total) {
        return new RequestRejectedException(416, "range_not_satisfiable", "Range '" + header + "' lies outside the file's "
                + total + " bytes", Map.of("size", total));
    }
}
