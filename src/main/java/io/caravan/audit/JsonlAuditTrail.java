package io.caravan.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import io.caravan.util.BoundedLines;
import io.caravan.util.DataSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail as JSON lines in {@code audit.jsonl} of one folder (the inbox's {@code .caravan}).
 * Each event is one line written by Jackson, so no field can hold a raw newline or quote and a client's
 * name can neither end a line nor forge a field. Lines are appended under one lock, one write each. The
 * file is rotated to {@code audit-<UTC>.jsonl} when it reaches its size limit or a new UTC day begins;
 * rotated files older than the keep time are deleted at rotation and by {@link #cleanup}, and so are the
 * oldest rotated files while all of them together would hold more than the total allows. A line that would
 * leave the disk below its free-space floor is not written but counted ({@link #dropped}). Every file is
 * reached from the folder opened without following a link ({@link ConfinedDir}): a link as the folder is
 * refused (the line is logged as not written), a link or anything else found as {@code audit.jsonl} is
 * removed as itself and the trail started anew, a rotated file that is a link is not read, and a line
 * longer than any event is skipped, never read whole. The file is held open between lines; one removed or
 * moved away meanwhile (or its whole folder removed) is made again at the next line, which is written there.
 */
public final class JsonlAuditTrail implements AuditTrail {

    public static final String FILE = "audit.jsonl";
    private static final Logger LOG = LoggerFactory.getLogger(JsonlAuditTrail.class);
    /** Writes each event as one line that no line reader splits and no terminal acts on ({@link io.caravan.util.LineSafeEscapes}). */
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setCharacterEscapes(new io.caravan.util.LineSafeEscapes());
    }
    /** A line longer than this is not an event Caravan wrote: names are at most 4 KiB, escaped. */
    private static final int MAX_LINE = 64 * 1024;
    /**
     * The most bytes {@link #since} without a time reads back from the trail's end: the last 1000 events take
     * a few hundred KiB; only events near the longest possible would be fewer.
     */
    public static final long MAX_TAIL_BYTES = 16L << 20;
    private static final int BACK_BLOCK = 64 * 1024;
    private static final DateTimeFormatter ROTATED = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** How often, at most, the lines dropped below the free-space floor are told in the log. */
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);

    private final Path dir;
    private final Path file;
    private final long maxSize;
    private final long maxTotal;
    private final Duration keep;
    private final long minFree;
    private final Clock clock;
    private final AtomicLong dropped = new AtomicLong();
    private volatile Consumer<AuditEvent> watcher = event -> { };
    private FileChannel channel;
    /** The identity (device and inode) of the file {@code channel} writes, to see it removed or moved away. */
    private Object channelKey;
    private FileStore store;
    private LocalDate day;
    private Instant warned;
    private long droppedSinceWarning;

    /** A trail in {@code dir}, rotated at {@code maxSize} bytes, its rotated files kept for {@code keep}; no total, no floor. */
    public JsonlAuditTrail(Path dir, long maxSize, Duration keep, Clock clock) {
        this(dir, maxSize, Long.MAX_VALUE, keep, 0, clock);
    }

    /**
     * A trail in {@code dir}, rotated at {@code maxSize} bytes; its files together hold at most {@code maxTotal}
     * bytes (the oldest rotated ones are deleted first) and rotated files go after {@code keep}; no line is
     * written that would leave less than {@code minFree} bytes free on the folder's disk.
     */
    public JsonlAuditTrail(Path dir, long maxSize, long maxTotal, Duration keep, long minFree, Clock clock) {
        if (maxSize <= 0 || maxTotal < maxSize || minFree < 0) {
            throw new IllegalArgumentException("the audit trail needs a positive size per file (was " + maxSize
                    + "), a total of at least that (was " + maxTotal + ") and a free-space floor of 0 or more (was " + minFree + ")");
        }
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.maxSize = maxSize;
        this.maxTotal = maxTotal;
        this.keep = keep;
        this.minFree = minFree;
        this.clock = clock;
    }

    /** How many lines were not written since the trail was made because the disk was at its free-space floor. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public synchronized void record(AuditEvent event) {
        try {
            Instant now = clock.instant();
            AuditEvent timed = event.time() == null ? event.time(now.toString()) : event;
            watcher.accept(timed);
            byte[] line = JSON.writeValueAsBytes(timed);
            ByteBuffer buffer = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
            FileChannel out = open(now);
            if (belowFloor(line.length + 1, now)) {
                return;
            }
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            if (out.size() >= maxSize) {
                rotate(now);
            }
        } catch (UnsafePathException e) {
            LOG.warn("could not write the audit line for {} '{}' to {}: {}; remove it, and Caravan creates its own folder"
                    + " there", event.event(), event.name(), file, e.getMessage());
            closeQuietly();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the audit line for {} '{}' to {}: {}", event.event(), event.name(), file, e.toString());
            closeQuietly();
        }
    }

    /**
     * {@inheritDoc} Without {@code since}, the trail is read back from its end (its newest files first), only as
     * far as the last {@code limit} events and at most {@link #MAX_TAIL_BYTES} bytes back, never a whole file.
     */
    @Override
    public List<AuditEvent> since(Instant since, int limit) {
        int max = Math.max(1, Math.min(limit, MAX_READ));
        Deque<AuditEvent> found = new ArrayDeque<>();
        try (ConfinedDir folder = ConfinedDir.openStateFolder(dir)) {
            long left = MAX_TAIL_BYTES;
            for (String part : parts(folder, since)) {
                if (since == null) {
                    left -= readBack(folder, part, max, left, found);
                    if (found.size() >= max || left <= 0) {
                        break;
                    }
                } else if (read(folder, part, since, max, found)) {
                    break;
                }
            }
        } catch (UnsafePathException e) {
            LOG.warn("the audit trail in {} cannot be read: {}", dir, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrayList<>(found);
    }

    /**
     * Deletes the rotated files older than the keep time, then the oldest rotated files until the rotated
     * ones leave room for a whole current file within the total; the receiver's cleanup and each rotation call this.
     */
    public synchronized void cleanup() {
        Instant oldest = clock.instant().minus(keep);
        try (ConfinedDir folder = ConfinedDir.openStateFolder(dir)) {
            List<String> kept = new ArrayList<>();
            for (String rotated : rotated(folder)) {
                Instant at = rotatedAt(rotated);
                if (at != null && at.isBefore(oldest)) {
                    folder.delete(rotated); // a link is removed as a link
                } else {
                    kept.add(rotated);
                }
            }
            long[] sizes = new long[kept.size()];
            long total = 0;
            for (int i = 0; i < kept.size(); i++) {
                sizes[i] = folder.stat(kept.get(i)).map(PosixFileAttributes::size).orElse(0L);
                total += sizes[i];
            }
            for (int i = 0; i < kept.size() && total > maxTotal - maxSize; i++) {
                folder.delete(kept.get(i)); // oldest first
                total -= sizes[i];
            }
        } catch (IOException | UnsafePathException e) {
            LOG.warn("could not delete old audit files in {}: {}", dir, e.toString());
        }
    }

    /**
     * Gives {@code watcher} the events of the trail's last {@code seedBytes} bytes (across its files, oldest
     * first), then each event recorded from now on, written or not, under the trail's lock: it must be quick.
     */
    public synchronized void onRecord(Consumer<AuditEvent> watcher, long seedBytes) {
        tail(seedBytes).forEach(watcher);
        this.watcher = watcher;
    }

    /** The events of the trail's last {@code bytes} bytes, its newest files first read from their ends; oldest first. */
    public List<AuditEvent> tail(long bytes) {
        Deque<AuditEvent> found = new ArrayDeque<>();
        long left = bytes;
        try (ConfinedDir folder = ConfinedDir.openStateFolder(dir)) {
            for (String part : parts(folder, null)) {
                if (left <= 0) {
                    break;
                }
                long size = folder.stat(part).map(PosixFileAttributes::size).orElse(0L);
                long from = Math.max(0, size - left);
                left -= size - from;
                List<AuditEvent> events = new ArrayList<>();
                try (InputStream in = folder.readRegular(part)) {
                    in.skipNBytes(from);
                    boolean[] partial = {from > 0};
                    BoundedLines.read(in, MAX_LINE, line -> {
                        if (partial[0]) {
                            partial[0] = false; // begun before the bytes asked for
                            return;
                        }
                        AuditEvent event = line == null ? null : parse(new String(line, StandardCharsets.UTF_8));
                        if (event != null) {
                            events.add(event);
                        }
                    });
                } catch (NoSuchFileException | java.io.EOFException e) {
                    continue; // rotated or deleted meanwhile
                } catch (UnsafePathException e) {
                    LOG.warn("audit trail: '{}' is not read ({}); remove it", e.path(), e.why());
                    continue;
                }
                for (int i = events.size() - 1; i >= 0; i--) {
                    found.addFirst(events.get(i));
                }
            }
        } catch (UnsafePathException e) {
            LOG.warn("the audit trail in {} cannot be read: {}", dir, e.getMessage());
        } catch (IOException e) {
            LOG.warn("the audit trail in {} could not be read: {}", dir, e.toString());
        }
        return new ArrayList<>(found);
    }

    /** Closes the file; the next line opens it again. */
    public synchronized void close() {
        closeQuietly();
    }

    private FileChannel open(Instant now) throws IOException {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (channel != null && !stillAtItsPath()) {
            LOG.warn("audit trail: {} was removed or moved away while it was written: made again", file);
            closeQuietly();
        }
        if (channel == null) {
            try (ConfinedDir folder = ConfinedDir.openStateFolder(dir)) {
                channel = folder.appendOwn(FILE, removed -> LOG.warn("audit trail: {}", removed));
                PosixFileAttributes opened = folder.stat(FILE).orElseThrow(() -> new NoSuchFileException(file.toString()));
                channelKey = opened.fileKey();
                day = channel.size() == 0 ? today : LocalDate.ofInstant(opened.lastModifiedTime().toInstant(), ZoneOffset.UTC);
            }
        }
        if (!today.equals(day) && channel.size() > 0) {
            rotate(now);
            return open(now);
        }
        return channel;
    }

    /**
     * Whether the file at the trail's path is still the one held open: one removed, or moved away (by hand, a
     * log rotation of its own, an {@code rm -rf} of the state folder), would take every later line out of sight.
     */
    private boolean stillAtItsPath() {
        try {
            Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
            return key == null || key.equals(channelKey);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether writing {@code bytes} more would leave less than the floor free on the trail's disk: the line is
     * then dropped, counted, and told in the log at most once a {@link #WARN_EVERY}.
     */
    private boolean belowFloor(long bytes, Instant now) throws IOException {
        if (minFree == 0) {
            return false;
        }
        if (store == null) {
            store = Files.getFileStore(dir);
        }
        if (store.getUsableSpace() - bytes >= minFree) {
            return false;
        }
        dropped.incrementAndGet();
        droppedSinceWarning++;
        if (warned == null || !now.isBefore(warned.plus(WARN_EVERY))) {
            LOG.warn("audit trail: {} line(s) not written to {} since the last warning: the disk has less than {} free"
                    + " (caravan.receiver.min-free-space); free space, or lower the floor (counted as caravan.audit.dropped)",
                    droppedSinceWarning, file, DataSize.format(minFree));
            warned = now;
            droppedSinceWarning = 0;
        }
        return true;
    }

    private void rotate(Instant now) throws IOException {
        closeQuietly();
        try (ConfinedDir folder = ConfinedDir.openStateFolder(dir)) {
            for (int i = 0; !folder.renameNoReplace(FILE, folder, "audit-" + ROTATED.format(now.plusMillis(i)) + ".jsonl"); i++) {
                // that name is taken: the next millisecond's
            }
        }
        cleanup();
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing {}", file, e);
            }
            channel = null;
        }
    }

    /** The files that may hold events after {@code since}, oldest first; newest first when {@code since} is null. */
    private List<String> parts(ConfinedDir folder, Instant since) throws IOException {
        List<String> parts = new ArrayList<>();
        for (String rotated : rotated(folder)) {
            Instant at = rotatedAt(rotated);
            if (since == null || at == null || !at.isBefore(since)) {
                parts.add(rotated);
            }
        }
        parts.add(FILE);
        if (since == null) {
            java.util.Collections.reverse(parts);
        }
        return parts;
    }

    /**
     * Reads one file into {@code found}, appending its events after {@code since} until {@code max} are found
     * (true when done). A file that is a link (or not a regular file) is not read.
     */
    private static boolean read(ConfinedDir folder, String part, Instant since, int max, Deque<AuditEvent> found)
            throws IOException {
        boolean[] done = new boolean[1];
        try (InputStream in = folder.readRegular(part)) {
            BoundedLines.read(in, MAX_LINE, bytes -> {
                AuditEvent event = bytes == null || done[0] ? null : parse(new String(bytes, StandardCharsets.UTF_8));
                if (event != null && Instant.parse(event.time()).isAfter(since)) {
                    found.addLast(event);
                    done[0] = found.size() >= max;
                }
            });
        } catch (NoSuchFileException e) {
            return false;
        } catch (UnsafePathException e) {
            LOG.warn("audit trail: '{}' is not read ({}); remove it", e.path(), e.why());
            return false;
        }
        return done[0];
    }

    /**
     * Reads one file back from its end, block by block, putting its events in front of {@code found} until
     * that holds {@code max}, the file's start is reached or {@code budget} bytes were read; returns the bytes
     * read. A line longer than any event, or one that is not an event (cut short by a crash), is skipped. A
     * file that is a link (or not a regular file) is not read.
     */
    private static long readBack(ConfinedDir folder, String part, int max, long budget, Deque<AuditEvent> found)
            throws IOException {
        FileChannel in;
        try {
            in = folder.readChannel(part);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (UnsafePathException e) {
            LOG.warn("audit trail: '{}' is not read ({}); remove it", e.path(), e.why());
            return 0;
        }
        try (in) {
            long position = in.size();
            long read = 0;
            byte[] block = new byte[BACK_BLOCK];
            byte[] after = new byte[0]; // the start of the line that follows the block, read before it
            boolean tooLong = false;
            while (position > 0 && read < budget && found.size() < max) {
                int length = (int) Math.min(BACK_BLOCK, position);
                position -= length;
                ByteBuffer buffer = ByteBuffer.wrap(block, 0, length);
                while (buffer.hasRemaining()) {
                    if (in.read(buffer, position + buffer.position()) < 0) {
                        return read; // shortened meanwhile: what was found stands
                    }
                }
                read += length;
                int end = length;
                for (int i = length - 1; i >= 0 && found.size() < max; i--) {
                    if (block[i] == '\n') {
                        if (!tooLong) {
                            addFirst(found, joined(block, i + 1, end, after));
                        }
                        after = new byte[0];
                        tooLong = false;
                        end = i;
                    }
                }
                if (!tooLong && end + after.length > MAX_LINE) {
                    tooLong = true;
                    after = new byte[0];
                } else if (!tooLong) {
                    after = joined(block, 0, end, after);
                }
            }
            if (position == 0 && !tooLong && found.size() < max) {
                addFirst(found, after);
            }
            return read;
        }
    }

    private static byte[] joined(byte[] block, int from, int to, byte[] after) {
        byte[] line = java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(block, from, to), to - from + after.length);
        System.arraycopy(after, 0, line, to - from, after.length);
        return line;
    }

    private static void addFirst(Deque<AuditEvent> found, byte[] line) {
        AuditEvent event = line.length == 0 ? null : parse(new String(line, StandardCharsets.UTF_8));
        if (event != null) {
            found.addFirst(event);
        }
    }

    private static AuditEvent parse(String line) {
        try {
            AuditEvent event = JSON.readValue(line, AuditEvent.class);
            return event.time() == null ? null : event;
        } catch (IOException e) {
            return null; // a line cut short by a crash
        }
    }

    private static List<String> rotated(ConfinedDir folder) throws IOException {
        return folder.list().stream().filter(name -> rotatedAt(name) != null).sorted().toList();
    }

    /** When a rotated file was rotated, from its name; null for any other file. */
    private static Instant rotatedAt(String name) {
        if (!name.startsWith("audit-") || !name.endsWith(".jsonl")) {
            return null;
        }
        try {
            return ROTATED.parse(name.substring("audit-".length(), name.length() - ".jsonl".length()), Instant::from);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
