package io.caravan.cli;

import io.caravan.CaravanException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** What a command reads from must be a file or a folder (a link to one counts): checked before anything is sent or written. */
final class Sources {

    private Sources() {
    }

    /** Refuses a source that does not exist, or is a FIFO, socket, device or a link to nothing. */
    static void requireFilesOrFolders(List<Path> sources) {
        for (Path source : sources) {
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new CaravanException("source not found: " + source);
            }
            if (!Files.isRegularFile(source) && !Files.isDirectory(source)) {
                throw new CaravanException("'" + source + "' is neither a file nor a folder (a FIFO, socket, device or a link"
                        + " to nothing): nothing was sent or written; give a file or a folder");
            }
        }
    }
}
