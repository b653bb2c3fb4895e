package io.caravan.route.send;

import io.caravan.fs.NameRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Why a top-level entry of the outbox cannot be sent as it is, found from its name and its attributes
 * alone (a special file is never opened: opening a FIFO blocks), and whether the outbox may move it to
 * {@code .failed/}: an entry Java cannot name (not valid UTF-8), or that is a FIFO, socket or device, is
 * left where it is.
 *
 * @param reason what is wrong, said of the entry ("is ...", "has ..."), for a log line and the {@code .failed/} note
 * @param movable whether the entry can be moved to {@code .failed/}
 */
public record OutboxRefusal(String reason, boolean movable) {

    /** What U+FFFD a name decoded from bytes that are not UTF-8 holds in Java. */
    private static final char REPLACEMENT = '\uFFFD';

    /**
     * The refusal of the top-level file (or link, or special file) {@code entry}, or null when it can be
     * sent: a symbolic link, to anything, is refused, never followed. Throws {@link NoSuchFileException} when it is gone.
     */
    public static OutboxRefusal ofFile(Path entry) throws IOException {
        String name = entry.getFileName().toString();
        if (NameRules.unreadable(entry)) {
            return notUtf8();
        }
        BasicFileAttributes attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) {
            String target = NameRules.printable(String.valueOf(Files.readSymbolicLink(entry)));
            if (!Files.exists(entry)) {
                return new OutboxRefusal("is a link to nothing (" + target + "): there is nothing to send", true);
            }
            return new OutboxRefusal("is a symbolic link (to " + target + "), and the outbox does not follow links (one"
                    + " dropped by anyone who may write here would send whatever this process can read): put the file"
                    + " or folder itself into the outbox (moved, copied or hard-linked)", true);
        }
        if (attrs.isOther()) {
            return new OutboxRefusal("is a special file (a FIFO, socket or device), not a file or folder:"
                    + " Caravan does not send it; remove it", false);
        }
        return ofName(name);
    }

    /** The refusal of the top-level folder {@code folder} (whose parcel needs a {@code <name>.ready} marker), or null. */
    public static OutboxRefusal ofFolder(Path folder) {
        String name = folder.getFileName().toString();
        if (NameRules.unreadable(folder)) {
            return notUtf8();
        }
        OutboxRefusal refusal = ofName(name);
        if (refusal == null && NameRules.utf8Length(name + Outbox.READY_SUFFIX) > NameRules.MAX_SEGMENT_BYTES) {
            return new OutboxRefusal("has a name too long for its marker '<name>" + Outbox.READY_SUFFIX + "' (over "
                    + NameRules.MAX_SEGMENT_BYTES + " bytes): rename it shorter", true);
        }
        return refusal;
    }

    /** How a name Java cannot represent is shown: each undecodable byte as {@code ?}. */
    public static String shown(String name) {
        return NameRules.printable(name).replace(REPLACEMENT, '?');
    }

    private static OutboxRefusal ofName(String name) {
        String problem = NameRules.segmentProblem(name);
        return problem == null ? null : new OutboxRefusal("has a name the receiver would refuse: " + problem, true);
    }

    private static OutboxRefusal notUtf8() {
        return new OutboxRefusal("is not a valid UTF-8 name: Caravan cannot read it; rename it", false);
    }
}
