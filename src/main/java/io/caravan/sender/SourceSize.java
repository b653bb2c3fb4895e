package io.caravan.sender;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * The bytes of a source as a sender announces them when it starts a session (a hint the receiver shows
 * as progress and ETA): a file's size, or the sum of the regular files below a folder; links are not
 * followed. A source that cannot be read through announces nothing.
 */
final class SourceSize {

    private SourceSize() {
    }

    /** The source's bytes, or null when they cannot be counted (the send goes on and reports what it meets). */
    static Long of(Path source) {
        try {
            BasicFileAttributes top = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!top.isDirectory()) {
                return top.isRegularFile() ? top.size() : 0L;
            }
            try (Stream<Path> entries = Files.walk(source)) {
                return entries.mapToLong(SourceSize::regularSize).sum();
            }
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    private static long regularSize(Path path) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.isRegularFile() ? attrs.size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
