package io.caravan.fs;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;

/**
 * A file system failure in words for the person who reads it: the JDK's exceptions carry only the
 * path as their message ({@code /tmp/x/dest}), which says nothing of what went wrong. Paths that went
 * through an open folder's descriptor ({@code /proc/self/fd/N/./name}, see {@link ConfinedDir}) are
 * shown by their name in that folder.
 */
public final class FileProblems {

    private FileProblems() {
    }

    /** What {@code e} means, naming its path(s); for anything but a {@link FileSystemException}, its message. */
    public static String describe(Throwable e) {
        if (e instanceof java.io.UncheckedIOException && e.getCause() instanceof FileSystemException cause) {
            e = cause;
        }
        if (!(e instanceof FileSystemException f)) {
            return String.valueOf(e.getMessage());
        }
        String file = shown(f.getFile());
        String what;
        if (e instanceof NotDirectoryException) {
            what = file + " is not a folder";
        } else if (e instanceof AccessDeniedException) {
            what = "permission denied: " + file;
        } else if (e instanceof NoSuchFileException) {
            what = file + " does not exist";
        } else if (e instanceof FileAlreadyExistsException) {
            // what creating a folder (Files.createDirectories) meets where a file is
            what = file + " already exists" + (f.getFile() != null && !f.getFile().startsWith("/proc/")
                    && Files.exists(Path.of(f.getFile()), LinkOption.NOFOLLOW_LINKS)
                    && !Files.isDirectory(Path.of(f.getFile()), LinkOption.NOFOLLOW_LINKS)
                    ? " and is not a folder" : "");
        } else if (e instanceof DirectoryNotEmptyException) {
            what = file + " is a folder that is not empty";
        } else if (e instanceof NotLinkException) {
            what = file + " is not a symbolic link";
        } else if (e instanceof FileSystemLoopException) {
            what = file + " is inside a loop of symbolic links";
        } else {
            what = file + (f.getReason() != null ? ": " + f.getReason() : ": " + e.getClass().getSimpleName());
            return f.getOtherFile() != null ? what + " (with " + shown(f.getOtherFile()) + ")" : what;
        }
        if (f.getReason() != null && !(e instanceof AccessDeniedException && f.getReason().contains("ermission"))) {
            what += " (" + f.getReason() + ")";
        }
        return f.getOtherFile() != null ? what + " (with " + shown(f.getOtherFile()) + ")" : what;
    }

    /** The path in quotes, a path through a descriptor by its name in that folder. */
    private static String shown(String path) {
        if (path == null) {
            return "a file";
        }
        return "'" + path.replaceFirst("^/proc/self/fd/\\d+/(\\./)?", "") + "'";
    }
}
