package io.caravan.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What identifies a file's content without reading it, as git's index and restic do: device, inode,
 * size, modification and status-change times. Any write to the file changes at least the ctime, so
 * an equal identity means the bytes were not changed in place.
 */
public record FileIdentity(long device, long inode, long size, long mtimeNanos, long ctimeNanos) {

    /** The identity of {@code path} itself (a link is described, not followed). */
    public static FileIdentity of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
        return new FileIdentity(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(),
                ((Number) a.get("size")).longValue(), nanos(a.get("lastModifiedTime")), nanos(a.get("ctime")));
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
