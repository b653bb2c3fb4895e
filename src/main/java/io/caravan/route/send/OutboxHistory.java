package io.caravan.route.send;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the outbox's own folders say about its past sends, read as they are (the outbox keeps no other
 * record): each parcel in {@code .sent/}, and each in {@code .failed/} with the reason and time of its
 * {@code <name>.error.txt} note ({@link Outbox#failed}). Markers ({@code X.ready}) and notes are not
 * parcels. A parcel's time is when it was moved there: the entry's status change time where the file
 * system has one (a rename sets it), else its modification time.
 */
public final class OutboxHistory {

    /** A parcel in {@code .sent/}: its name, when it was moved there, and its bytes (null for a folder). */
    public record Sent(String name, Instant time, Long bytes) {
    }

    /** A parcel in {@code .failed/}: its name, when it failed and why (null when its note is missing or unreadable). */
    public record Failed(String name, Instant time, String reason) {
    }

    /** How much of a note is read at most: its reason is shown, not its whole text. */
    static final int NOTE_BYTES = 4096;

    private final Path outbox;

    public OutboxHistory(Path outbox) {
        this.outbox = outbox.toAbsolutePath().normalize();
    }

    /** The newest {@code limit} parcels of {@code .sent/}, newest first; none when the folder is not there. */
    public List<Sent> sent(int limit) throws IOException {
        List<Sent> sent = new ArrayList<>();
        for (Path parcel : parcels(outbox.resolve(Outbox.SENT))) {
            BasicFileAttributes attrs = attributes(parcel);
            if (attrs != null) {
                sent.add(new Sent(parcel.getFileName().toString(), moved(parcel, attrs),
                        attrs.isDirectory() ? null : Long.valueOf(attrs.size())));
            }
        }
        sent.sort(Comparator.comparing(Sent::time).reversed());
        return sent.subList(0, Math.min(limit, sent.size()));
    }

    /**
     * The newest {@code limit} parcels of {@code .failed/}, newest first, each with its note's reason. The
     * parcels are ordered by when they were moved there; only the notes of the {@code limit} listed are read.
     */
    public List<Failed> failed(int limit) throws IOException {
        List<Failed> moved = new ArrayList<>();
        for (Path parcel : parcels(outbox.resolve(Outbox.FAILED))) {
            BasicFileAttributes attrs = attributes(parcel);
            if (attrs != null) {
                moved.add(new Failed(parcel.getFileName().toString(), moved(parcel, attrs), null));
            }
        }
        moved.sort(Comparator.comparing(Failed::time).reversed());
        List<Failed> failed = new ArrayList<>();
        for (Failed parcel : moved.subList(0, Math.min(limit, moved.size()))) {
            failed.add(failure(outbox.resolve(Outbox.FAILED).resolve(parcel.name()), parcel.time()));
        }
        failed.sort(Comparator.comparing(Failed::time).reversed());
        return failed;
    }

    private static List<Path> parcels(Path area) throws IOException {
        List<Path> parcels = new ArrayList<>();
        if (!Files.isDirectory(area)) {
            return parcels;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(area, p -> {
            String name = p.getFileName().toString();
            return !name.startsWith(".") && !name.endsWith(Outbox.READY_SUFFIX) && !name.endsWith(Outbox.ERROR_SUFFIX);
        })) {
            entries.forEach(parcels::add);
        }
        return parcels;
    }

    /**
     * The parcel's note: the time and reason {@link Outbox#failed} wrote; the move's time and no reason
     * without one. Only a regular file is read (a link is not followed, a FIFO or a device never opened:
     * the reason says what is there instead), and only its first {@link #NOTE_BYTES} bytes.
     */
    private static Failed failure(Path parcel, Instant moved) {
        String name = parcel.getFileName().toString();
        Path notePath = parcel.resolveSibling(Outbox.noteName(name));
        BasicFileAttributes attrs = attributes(notePath);
        if (attrs == null) {
            return new Failed(name, moved, null);
        }
        if (!attrs.isRegularFile()) {
            return new Failed(name, moved, "(its note " + notePath.getFileName() + " is not a regular file but "
                    + (attrs.isSymbolicLink() ? "a link" : attrs.isDirectory() ? "a folder" : "a special file")
                    + ": not read)");
        }
        String note;
        try (InputStream in = Channels.newInputStream(FileChannel.open(notePath, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            note = new String(in.readNBytes(NOTE_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new Failed(name, moved, null);
        }
        return new Failed(name, instant(after(note, Outbox.FAILED_AT, false), moved), after(note, Outbox.REASON, true));
    }

    /**
     * What follows {@code label} at the start of a line of the note (never its first line, the parcel's
     * name): to the line's end, or with {@code toBlankLine} to the blank line before the advice, as a
     * failure's message may span lines. Null when the note has no such line.
     */
    private static String after(String note, String label, boolean toBlankLine) {
        int at = note.indexOf("\n" + label);
        if (at < 0) {
            return null;
        }
        int start = at + 1 + label.length();
        int end = note.indexOf(toBlankLine ? "\n\n" : "\n", start);
        return note.substring(start, end < 0 ? note.length() : end).strip();
    }

    private static Instant instant(String text, Instant fallback) {
        try {
            return text == null ? fallback : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }

    private static BasicFileAttributes attributes(Path entry) {
        try {
            return Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null; // moved away meanwhile
        }
    }

    private static Instant moved(Path entry, BasicFileAttributes attrs) {
        try {
            if (entry.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                FileTime changed = (FileTime) Files.getAttribute(entry, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
                return changed.toInstant();
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no status change time here: the modification time will do
        }
        return attrs.lastModifiedTime().toInstant();
    }
}
