package io.caravan.fs;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What a failed file operation was, in words for a message: the JDK's exceptions name only a path
 * (and for a {@link ConfinedDir} that path is its descriptor's, {@code /proc/self/fd/N/./name}), so
 * the caller names the entry itself and adds {@link #reason}.
 */
public final class FsMessages {

    private static final Pattern DESCRIPTOR_PATH = Pattern.compile("/proc/self/fd/\\d+(/\\.)?/?");

    private FsMessages() {
    }

    /** Why {@code failure} happened, without any path: "permission denied", "something else is already there", ... */
    public static String reason(Exception failure) {
        if (failure instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (failure instanceof FileAlreadyExistsException) {
            return "something else is already there";
        }
        if (failure instanceof DirectoryNotEmptyException) {
            return "a folder that is not empty is in the way";
        }
        if (failure instanceof NotDirectoryException) {
            return "a file is where a folder is needed";
        }
        if (failure instanceof NoSuchFileException) {
            return "it is not there (removed meanwhile?)";
        }
        if (failure instanceof FileSystemException fs) {
            return fs.getReason() != null ? scrub(fs.getReason()) : "the file system refused it";
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : scrub(failure.getMessage());
    }

    /**
     * {@code failure} as a sentence naming its path(s), for a message on its own (the CLI's error line):
     * {@code 'dest' already exists and is not a folder}, {@code 'x': permission denied}; anything but a
     * {@link FileSystemException} (also inside an {@link java.io.UncheckedIOException}) is its message.
     */
    public static String describe(Throwable failure) {
        Throwable e = failure instanceof java.io.UncheckedIOException && failure.getCause() instanceof FileSystemException cause
                ? cause : failure;
        if (!(e instanceof FileSystemException f)) {
            return String.valueOf(e.getMessage());
        }
        String file = f.getFile() == null ? "a file" : "'" + scrub(f.getFile()) + "'";
        String what;
        if (e instanceof FileAlreadyExistsException && f.getFile() != null && !f.getFile().startsWith("/proc/")
                && Files.exists(Path.of(f.getFile()), LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(Path.of(f.getFile()), LinkOption.NOFOLLOW_LINKS)) {
            what = file + " already exists and is not a folder"; // what creating a folder meets where a file is
        } else {
            what = file + ": " + reason(f);
        }
        return f.getOtherFile() == null ? what : what + " (with '" + scrub(f.getOtherFile()) + "')";
    }

    /** {@code text} without the descriptor paths of open folders ({@code /proc/self/fd/N/./}). */
    public static String scrub(String text) {
        return DESCRIPTOR_PATH.matcher(text).replaceAll("");
    }
}
