package io.caravan.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commit point of a session whose chunks may be written at their position in its data file:
 * one line per committed chunk, appended under the session's monitor, {@code P <index> <sha256> <size>}
 * for a chunk at its position, {@code F <index> <sha256> <size>} for one in a file of its own. Read
 * back, the last line of an index wins; a line cut short by a crash is no commit and is skipped.
 */
final class ChunkLog {

    static final String NAME = "chunks.log";
    private static final Pattern LINE = Pattern.compile("([PF]) (\\d{1,9}) ([0-9a-f]{64}) (\\d{1,15})");

    /** One committed chunk: at its position in the data file, or in its own file. */
    record Line(boolean positioned, int index, String sha256, long size) {

        String text() {
            return (positioned ? "P " : "F ") + index + " " + sha256 + " " + size + "\n";
        }
    }

    private ChunkLog() {
    }

    static Path in(Path sessionDir) {
        return sessionDir.resolve(NAME);
    }

    /** Appends {@code line}; with {@code force} it is on stable storage when this returns. */
    static void append(Path sessionDir, Line line, boolean force, Syncer syncer) throws IOException {
        Path log = in(sessionDir);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(line.text().getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (force) {
                syncer.file(log, channel);
            }
        }
    }

    /** Every whole line, in order; anything else (a line cut short, garbage) is skipped. */
    static List<Line> read(Path sessionDir) throws IOException {
        List<Line> lines = new ArrayList<>();
        String text = Files.readString(in(sessionDir), StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n');
        for (String row : text.substring(0, end + 1).split("\n")) {
            Matcher m = LINE.matcher(row);
            if (m.matches()) {
                lines.add(new Line(m.group(1).equals("P"), Integer.parseInt(m.group(2)), m.group(3), Long.parseLong(m.group(4))));
            }
        }
        return lines;
    }

    /** Replaces the log by {@code lines}, durably (a restart that dropped chunks must not find them again). */
    static void rewrite(Path sessionDir, Collection<Line> lines, Syncer syncer) throws IOException {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line.text()));
        DurableFiles.writeString(in(sessionDir), text.toString(), syncer);
    }
}
