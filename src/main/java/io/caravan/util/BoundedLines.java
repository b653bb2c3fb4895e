package io.caravan.util;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a file of lines one at a time, keeping at most a bound of each: a line longer than that (a
 * damaged or planted file, or one that is not a line file at all) is reported as such, never held in
 * memory whole, so reading a file costs at most the bound whatever its size.
 */
public final class BoundedLines {

    /** Receives each non-empty line (without its {@code '\n'}), or null for one longer than the bound. */
    @FunctionalInterface
    public interface Each {
        void line(byte[] line) throws IOException;
    }

    private BoundedLines() {
    }

    /** Passes every non-empty line of {@code in} to {@code each}, in order; a last line without {@code '\n'} too. */
    public static void read(InputStream in, int max, Each each) throws IOException {
        InputStream buffered = new BufferedInputStream(in, 1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean tooLong = false;
        for (int b; ; ) {
            b = buffered.read();
            if (b >= 0 && b != '\n') {
                if (line.size() < max) {
                    line.write(b);
                } else {
                    tooLong = true;
                }
                continue;
            }
            if (line.size() > 0 || tooLong) {
                each.line(tooLong ? null : line.toByteArray());
            }
            line.reset();
            tooLong = false;
            if (b < 0) {
                return;
            }
        }
    }
}
