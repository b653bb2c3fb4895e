package io.caravan.session;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The machine's {@link Syncer}, which also writes down every call in order ({@code file <path>},
 * {@code folder <path>}, {@code tree <path> files=<regular files below it at the time>}), with a boot
 * id of the test's choosing.
 */
public final class CountingSyncer implements Syncer {

    private final String bootId;
    private final List<String> events = new CopyOnWriteArrayList<>();

    public CountingSyncer(String bootId) {
        this.bootId = bootId;
    }

    public List<String> events() {
        return List.copyOf(events);
    }

    public void clear() {
        events.clear();
    }

    @Override
    public void file(Path file, FileChannel channel) throws IOException {
        events.add("file " + file);
        Syncer.SYSTEM.file(file, channel);
    }

    @Override
    public void folder(Path dir) throws IOException {
        events.add("folder " + dir);
        Syncer.SYSTEM.folder(dir);
    }

    @Override
    public void tree(Path root) throws IOException {
        long files;
        try (Stream<Path> all = Files.walk(root)) {
            files = all.filter(Files::isRegularFile).count();
        }
        // a folder held open is named by the folder it is, not by its descriptor
        events.add("tree " + (root.startsWith("/proc/self/fd") ? root.toRealPath() : root) + " files=" + files);
        Syncer.SYSTEM.tree(root);
    }

    @Override
    public String bootId() {
        return bootId;
    }
}
