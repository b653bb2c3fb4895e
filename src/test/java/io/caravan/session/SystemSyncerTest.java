package io.caravan.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine's syncer forces small trees entry by entry and large ones with syncfs, and reads a stable boot id. */
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

    @Test
    void theBootIdIsTheKernelsAndTheSameOnEveryCall() throws Exception {
        Path kernel = Path.of("/proc/sys/kernel/random/boot_id");
        String id = Syncer.SYSTEM.bootId();
        assertThat(id).isEqualTo(Files.isReadable(kernel) ? Files.readString(kernel).trim() : null);
        assertThat(Syncer.SYSTEM.bootId()).isEqualTo(id);
    }
}
