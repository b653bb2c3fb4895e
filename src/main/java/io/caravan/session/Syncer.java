package io.caravan.session;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Forces written bytes and names to stable storage, and tells which boot of the machine this is: a
 * power loss or a reboot ends the page cache, and with it every write that was not forced before. Every
 * fsync of the receiver's sessions and publishes goes through one of these.
 */
public interface Syncer {

    /** The machine's own disks and boot id. */
    Syncer SYSTEM = new SystemSyncer();

    /** Forces the bytes of {@code file}, open as {@code channel}, and what is needed to read them back. */
    void file(Path file, FileChannel channel) throws IOException;

    /** Forces the entries of the folder {@code dir}: names created, renamed or removed in it. */
    void folder(Path dir) throws IOException;

    /**
     * Forces every file and folder below {@code root} (a file or a folder), and {@code root} itself, never through a
     * link: a link in the tree, or one swapped in for an entry while it is walked, is not followed (its name is
     * forced with its folder), and a pipe is never opened. A folder held open ({@code /proc/self/fd/N/.}) is
     * forced as the folder it is.
     */
    void tree(Path root) throws IOException;

    /** An id of the machine's current boot, the same for every process until it restarts; null when unknown. */
    String bootId();
}
