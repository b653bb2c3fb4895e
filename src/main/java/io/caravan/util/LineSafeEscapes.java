package io.caravan.util;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * JSON escapes for files read line by line and by people: besides what JSON must escape, the C1 controls
 * (U+0080–U+009F: NEL ends a line for many readers, CSI drives terminals that act on 8-bit controls), the line
 * and paragraph separators and the bidirectional controls (which show a name reversed) are written as
 * {@code \\uXXXX}. Any other character is written as it is, so names in other scripts stay readable.
 */
public final class LineSafeEscapes extends CharacterEscapes {

    private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return escaped(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }

    /** Whether {@code ch} (above ASCII) is written escaped. */
    static boolean escaped(int ch) {
        return ch >= 0x80 && ch <= 0x9f || ch == 0x2028 || ch == 0x2029 || ch == 0x061c || ch == 0x200e || ch == 0x200f
                || ch >= 0x202a && ch <= 0x202e || ch >= 0x2066 && ch <= 0x2069;
    }
}
