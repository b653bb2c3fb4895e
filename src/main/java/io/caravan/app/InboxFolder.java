package io.caravan.app;

import io.caravan.fs.FsMessages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The receiver's inbox ({@code caravan.receiver.inbox}) checked before anything starts, wherever it was
 * set: it must be a folder, or a place where one can be made, that the receiver may write. One that is not
 * stops the start with a usage error ({@link IllegalArgumentException}) naming the setting, the path and
 * where the value came from. A missing inbox is created here, as the receiver would create it.
 */
public final class InboxFolder {

    private InboxFolder() {
    }

    /** Checks {@code inbox}, the value of {@code caravan.receiver.inbox} given in {@code origin} ("the file x", ...). */
    public static void check(Path inbox, String origin) {
        Path folder = inbox.toAbsolutePath().normalize();
        String setting = "caravan.receiver.inbox is " + folder + " (" + origin + "): ";
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && !Files.isDirectory(existing)) {
            throw new IllegalArgumentException(setting + "not a folder" + (existing.equals(folder) ? "" : ", " + existing
                    + " is a file") + "; the inbox must be a folder (one that does not exist yet is created)");
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + "it cannot be written (creating it: " + FsMessages.reason(e)
                    + "); the inbox must be a folder the receiver may write");
        }
        if (!Files.isWritable(folder) || !Files.isExecutable(folder)) {
            throw new IllegalArgumentException(setting + "it cannot be written (permission denied); the inbox must be"
                    + " a folder the receiver may write");
        }
    }
}
