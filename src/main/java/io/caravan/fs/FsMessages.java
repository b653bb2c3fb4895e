package io.caravan.fs;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
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

    /** {@code text} without the descriptor paths of open folders ({@code /proc/self/fd/N/./}). */
    public static String scrub(String text) {
        return DESCRIPTOR_PATH.matcher(text).replaceAll("");
    }
}
