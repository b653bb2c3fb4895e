package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine's syncer forces small trees entry by entry and large ones with syncfs, never following a
 * link (not even one swapped in for a file or folder while it walks), and reads a stable boot id.
 */
class SystemSyncerTest {

    @TempDir
    Path dir;

    @Test
    void forcesASmallTreeALargeOneAndOneWithAnEntryNobodyMayRead() throws Exception {
        Path small = Files.createDirectories(dir.resolve("small/sub"));
        Files.writeString(small.resolve("a"), "a");
        Path large = Files.createDirectories(dir.resolve("large"));
        for (int i = 0; i <= SystemSyncer.SMALL_TREE; i++) {
            Files.writeString(Files.createDirectories(large.resolve("d" + i % 4)).resolve("f" + i), "x" + i);
        }
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Files.writeString(locked.resolve("secret"), "s");
        Files.setPosixFilePermissions(locked.resolve("secret"), PosixFilePermissions.fromString("---------"));

        assertThatCode(() -> {
            Syncer.SYSTEM.tree(dir.resolve("small"));
            Syncer.SYSTEM.tree(small.resolve("a"));
            Syncer.SYSTEM.tree(large);
            Syncer.SYSTEM.tree(locked);
        }).doesNotThrowAnyException();
    }

    /**
     * A file and a folder of the tree are swapped for links to a FIFO outside it, and back, again and again
     * while the tree is forced: opening the FIFO would wait for a writer forever, so forcing must finish.
     */
    @Test
    void aLinkSwappedInWhileTheTreeIsForcedIsNeverFollowed() throws Exception {
        Path fifo = Files.createDirectories(dir.resolve("outside")).resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        Path tree = Files.createDirectories(dir.resolve("tree/sub")).getParent();
        for (int i = 0; i < 6; i++) {
            Files.writeString(tree.resolve("f" + i), "x" + i);
        }
        Files.writeString(tree.resolve("sub/g"), "g");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger swaps = new AtomicInteger();
        Thread swapper = new Thread(() -> {
            while (!stop.get()) {
                try {
                    swap(tree, fifo);
                    swaps.incrementAndGet();
                } catch (IOException e) {
                    // a step that met the other's leftovers: the next round starts over
                }
            }
        }, "swapper");
        swapper.setDaemon(true);
        swapper.start();
        AtomicInteger passes = new AtomicInteger();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                while (System.nanoTime() < end || swaps.get() < 50) {
                    try {
                        Syncer.SYSTEM.tree(tree);
                    } catch (IOException | UncheckedIOException changedMeanwhile) {
                        // an entry that vanished or turned into a link while walked may fail a pass; it may not hang
                    }
                    passes.incrementAndGet();
                }
            }, () -> "forcing the tree opened the FIFO outside it through a link (after " + passes.get() + " passes)");
        } finally {
            stop.set(true);
            try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // opened for reading and writing at once, which does not wait: lets a reader stuck on it go
            }
            swapper.join(10_000);
        }
        assertThat(passes.get()).isPositive();
    }

    /** {@code f0} becomes a link to {@code fifo} and a file again; {@code sub} a link to it and a folder again. */
    private static void swap(Path tree, Path fifo) throws IOException {
        Files.deleteIfExists(tree.resolve("link.tmp"));
        Files.createSymbolicLink(tree.resolve("link.tmp"), fifo);
        Files.move(tree.resolve("link.tmp"), tree.resolve("f0"), StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(tree.resolve("file.tmp"), "x0");
        Files.move(tree.resolve("file.tmp"), tree.resolve("f0"), StandardCopyOption.ATOMIC_MOVE);
        Path sub = tree.resolve("sub");
        Path away = tree.resolve("sub.away");
        if (Files.isDirectory(sub, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.move(sub, away, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.deleteIfExists(sub);
        Files.createSymbolicLink(sub, fifo);
        Thread.onSpinWait();
        Files.delete(sub);
        Files.move(away, sub, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void theBootIdIsTheKernelsAndTheSameOnEveryCall() throws Exception {
        Path kernel = Path.of("/proc/sys/kernel/random/boot_id");
        String id = Syncer.SYSTEM.bootId();
        assertThat(id).isEqualTo(Files.isReadable(kernel) ? Files.readString(kernel).trim() : null);
        assertThat(Syncer.SYSTEM.bootId()).isEqualTo(id);
    }
}
