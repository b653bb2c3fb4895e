package io.caravan.sync;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A mirroring pass refused because its source tree could not be read completely (a folder that is
 * gone, unmounted or not readable); nothing was changed, since a partial listing would delete the
 * entries it missed.
 */
public final class SourceUnreadableException extends PassRefusedException {

    public SourceUnreadableException(Path source, String mirror, IOException cause) {
        super("cannot read source " + source + " (" + describe(cause) + "): nothing was changed on mirror '" + mirror
                + "'; check that the folder exists, is mounted and is readable", cause);
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder: " + e.getMessage();
        }
        return e.toString();
    }

    @Override
    public String code() {
        return "source_unreadable";
    }
}
