package io.caravan.session;

import io.caravan.fs.ConfinedDir;
import io.caravan.util.BoundedLines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.commons.io.input.BoundedInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
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
 * An archive session's log holds only {@code X <index> <sha256> <size>} lines, chunks the extraction
 * took from their request bodies, covered by a checkpoint, never written as files, and
 * {@code T <index> <sha256> <size> <coveredTo>} lines, chunks covered up to a checkpoint inside them,
 * whose tail after it is kept in a file of its own (see {@link SessionStore#cover}).
 */
final class ChunkLog {

    static final String NAME = "chunks.log";
    /** The longest line a log holds ({@code F 999999999 <sha256> 999999999999999}). */
    private static final int LONGEST = 112;
    private static final Pattern LINE = Pattern.compile("([PFXT]) (\\d{1,9}) ([0-9a-f]{64}) (\\d{1,15})(?: (\\d{1,15}))?");

    /**
     * One committed chunk: at its position in the data file ({@code P}), in its own file ({@code F}), covered
     * ({@code X}), or covered up to {@code coveredTo} with its tail in a file ({@code T}).
     */
    record Line(char kind, int index, String sha256, long size, long coveredTo) {

        Line(boolean positioned, int index, String sha256, long size) {
            this(positioned ? 'P' : 'F', index, sha256, size, 0);
        }

        /** A chunk the extraction took from its request body, with no file of its own but its tail's, if any. */
        static Line covered(int index, String sha256, long size, long coveredTo) {
            return coveredTo < size ? new Line('T', index, sha256, size, coveredTo) : new Line('X', index, sha256, size, size);
        }

        boolean positioned() {
            return kind == 'P';
        }

        boolean covered() {
            return kind == 'X' || kind == 'T';
        }

        String text() {
            return kind + " " + index + " " + sha256 + " " + size + (kind == 'T' ? " " + coveredTo : "") + "\n";
        }
    }

    private ChunkLog() {
    }

    static Path in(Path sessionDir) {
        return sessionDir.resolve(NAME);
    }

    /**
     * Appends {@code line}; with {@code force} it is on stable storage when this returns. A raw session's log
     * is made with the session; an archive session's with its first covered chunk.
     */
    static void append(Path sessionDir, Line line, boolean force, Syncer syncer) throws IOException {
        Path log = in(sessionDir);
        try (FileChannel channel = line.covered()
                ? FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE,
                        LinkOption.NOFOLLOW_LINKS)
                : FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer bytes = ByteBuffer.wrap(line.text().getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (force) {
                syncer.file(log, channel);
            }
        }
    }

    /**
     * Every whole line of the log in {@code sessionDir} for an index below {@code maxChunks}, in order;
     * anything else (a line cut short, garbage, an index no session may reach) is skipped. Read a line at
     * a time: a log that is not a regular file of its own is refused, and one of more than twice {@code maxChunks}
     * lines is read no further (an {@link IOException}: the session cannot be loaded), so a huge one costs no memory.
     */
    static List<Line> read(ConfinedDir sessionDir, long maxChunks) throws IOException {
        List<Line> lines = new ArrayList<>();
        long maxLines = 2 * maxChunks; // a chunk sent again adds a line; a log of more would fill the heap as it is read
        try (FileChannel log = sessionDir.readChannel(NAME)) {
            // up to the last '\n': a line after it was cut short by a crash and is no commit
            long size = log.size();
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, LONGEST + 1));
            while (tail.hasRemaining() && log.read(tail, size - tail.capacity() + tail.position()) >= 0) {
                // until the window is full
            }
            long end = size - tail.capacity();
            for (int i = tail.position() - 1; i >= 0; i--) {
                if (tail.get(i) == '\n') {
                    end += i + 1;
                    break;
                }
            }
            InputStream in = BoundedInputStream.builder().setInputStream(Channels.newInputStream(log.position(0)))
                    .setMaxCount(Math.max(0, end)).get();
            BoundedLines.read(in, LONGEST, row -> {
                Matcher m = row == null ? null : LINE.matcher(new String(row, StandardCharsets.US_ASCII));
                char kind = m == null || !m.matches() ? 0 : m.group(1).charAt(0);
                long bytes = kind == 0 ? 0 : Long.parseLong(m.group(4));
                // a T line names the point inside the chunk its tail starts at; no other line names one
                long coveredTo = kind == 'T' && m.group(5) != null ? Long.parseLong(m.group(5)) : kind == 'X' ? bytes : 0;
                boolean whole = kind != 0 && (kind == 'T') == (m.group(5) != null) && (kind != 'T' || coveredTo > 0 && coveredTo < bytes);
                if (whole && Integer.parseInt(m.group(2)) < maxChunks) {
                    if (lines.size() >= maxLines) {
                        throw new IOException("its chunk log holds more than " + maxLines
                                + " lines, more than a session listing at most " + maxChunks + " chunks writes");
                    }
                    lines.add(new Line(kind, Integer.parseInt(m.group(2)), m.group(3), bytes, coveredTo));
                }
            });
        }
        return lines;
    }

    /** Replaces the log by {@code lines}, durably (a restart that dropped chunks must not find them again). */
    static void rewrite(ConfinedDir sessionDir, Collection<Line> lines, Syncer syncer) throws IOException {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line.text()));
        DurableFiles.writeString(sessionDir, NAME, text.toString(), syncer);
    }
}
