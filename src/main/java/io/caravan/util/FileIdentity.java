package io.caravan.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What tells one state of a regular file from another without reading it, as git's index and
 * restic do: device, inode, size, mtime and ctime. Writing a file in place changes its ctime even
 * when size and mtime are put back. Timestamps are coarser than nanoseconds, so an identity seen
 * within {@link #SLACK_MILLIS} of the file's last change does not yet vouch for its content
 * ({@link #settledBefore}): a write in the same clock tick would not show.
 */
public record FileIdentity(long dev, long ino, long size, long mtimeNanos, long ctimeNanos) {

    /** The unix attributes an identity is made of (plus {@code mode}, to tell a regular file). */
    public static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime,mode";
    /** How much older than the moment it was seen a file's ctime must be for its identity to vouch for its bytes. */
    public static final long SLACK_MILLIS = 1000;

    private static final int TYPE_MASK = 0170000;
    private static final int REGULAR = 0100000;

    /** From attributes read with {@link #ATTRIBUTES} (or a superset such as {@code unix:*}). */
    public static FileIdentity of(Map<String, Object> attributes) {
        return new FileIdentity(((Number) attributes.get("dev")).longValue(), ((Number) attributes.get("ino")).longValue(),
                ((Number) attributes.get("size")).longValue(), nanos(attributes.get("lastModifiedTime")),
                nanos(attributes.get("ctime")));
    }

    /** The identity of {@code file} if it is a regular file (a final symlink is not followed); empty when missing or not a file. */
    public static Optional<FileIdentity> ofRegularFile(Path file) throws IOException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(file, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if ((((Number) attributes.get("mode")).intValue() & TYPE_MASK) != REGULAR) {
            return Optional.empty();
        }
        return Optional.of(of(attributes));
    }

    /** Whether the file last changed at least {@link #SLACK_MILLIS} before {@code seenMillis}, when this identity was read. */
    public boolean settledBefore(long seenMillis) {
        return ctimeNanos < TimeUnit.MILLISECONDS.toNanos(seenMillis - SLACK_MILLIS);
    }

    /** The same file with the same size and mtime; only the ctime may differ (a hard link or chmod changes it). */
    public boolean sameContentClaims(FileIdentity other) {
        return dev == other.dev && ino == other.ino && size == other.size && mtimeNanos == other.mtimeNanos;
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }
}
