package io.caravan.share;

import io.caravan.sync.LocalMirror;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncGuards;
import io.caravan.sync.SyncMode;
import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Followers of a share for tests, each on a thread of its own with its own console, and the
 * entry-by-entry description of a tree they are compared by.
 */
final class Followers implements AutoCloseable {

    /** One follower: its folder, what it printed, what it refused. */
    record Running(Path target, ShareFollower follower, Thread thread, ByteArrayOutputStream out, List<String> refused) {
        String output() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private final List<Running> running = new ArrayList<>();

    Running start(String shareUrl, Path target) throws IOException {
        return start(shareUrl, target, SyncMode.INCREMENTAL);
    }

    Running start(String shareUrl, Path target, SyncMode mode) throws IOException {
        return start(shareUrl, target, mode, Duration.ofSeconds(25));
    }

    Running start(String shareUrl, Path target, SyncMode mode, Duration wait) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SyncConsole console = new SyncConsole(new PrintStream(out, true, StandardCharsets.UTF_8));
        List<String> refused = new CopyOnWriteArrayList<>();
        ShareClient client = new ShareClient(shareUrl, null, target.getFileName().toString(), null, refused::add);
        Files.createDirectories(target);
        LocalMirror mirror = new LocalMirror(target, mode, false, 5, List.of(), SyncGuards.DEFAULT, false,
                Duration.ofDays(1), console, client);
        ShareFollower follower = new ShareFollower(client, mirror, false, wait, console);
        Thread thread = new Thread(() -> {
            try {
                follower.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "test-follower-" + target.getFileName());
        thread.setDaemon(true);
        thread.start();
        Running one = new Running(target, follower, thread, out, refused);
        running.add(one);
        return one;
    }

    void stop(Running one) throws InterruptedException {
        one.follower().close();
        one.thread().join(10_000);
        running.remove(one);
    }

    @Override
    public void close() throws InterruptedException {
        for (Running one : List.copyOf(running)) {
            stop(one);
        }
    }

    /** Every entry below {@code root} but Caravan's state: type, and for files size, mtime second, mode and SHA-256. */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty() || rel.equals(LocalMirror.STATE) || rel.startsWith(LocalMirror.STATE + "/")) {
                    continue;
                }
                PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attrs.isSymbolicLink()) {
                    entries.put(rel, "link:" + Files.readSymbolicLink(p));
                } else if (attrs.isDirectory()) {
                    entries.put(rel, "dir:" + attrs.permissions());
                } else {
                    try (InputStream in = Files.newInputStream(p)) {
                        entries.put(rel, "file:" + attrs.size() + ":" + attrs.lastModifiedTime().toMillis() / 1000 + ":"
                                + attrs.permissions() + ":" + Sha256.of(in, new byte[1 << 16]));
                    }
                }
            }
        }
        return entries;
    }
}
