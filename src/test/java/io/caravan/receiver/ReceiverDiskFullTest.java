package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk is a passing failure, never "the data is damaged": the receiver's inbox is a small
 * tmpfs (mounted for the test; skipped where mounting is not allowed). A chunk that cannot be
 * written for lack of space or inodes is 507, an extraction that runs out of space is 507 at finish
 * with its staging freed, and once room is made the next finish extracts again and publishes.
 */
@EnabledOnOs(OS.LINUX)
class ReceiverDiskFullTest {

    @TempDir
    static Path tmp;
    static Path disk;
    static ReceiverFixture receiver;

    @BeforeAll
    static void mountSmallDisk() throws Exception {
        disk = Files.createDirectories(tmp.resolve("small-disk"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64m,nr_inodes=2048", "tmpfs", disk.toString()),
                "a tmpfs can be mounted here (needs root)");
        receiver = new ReceiverFixture(disk.resolve("inbox"), Map.of(
                "caravan.receiver.min-free-space", "0",
                "caravan.receiver.max-expansion", "0"));
    }

    @AfterAll
    static void unmount() throws Exception {
        try {
            if (receiver != null) {
                receiver.close();
            }
        } finally {
            if (disk != null) {
                run("umount", disk.toString());
            }
        }
    }

    private static boolean run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().transferTo(OutputStream.nullOutputStream());
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    /** Writes zeros into {@code file} until the disk has at most {@code leave} bytes free. */
    private static void fill(Path file, long leave) throws IOException {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (Files.getFileStore(disk).getUsableSpace() > leave + block.length) {
                out.write(block);
            }
        }
    }

    @Test
    void anExtractionThatRunsOutOfSpaceIs507AndTheNextFinishPublishesOnceThereIsRoom() throws Exception {
        CraftedParcel parcel = CraftedParcel.zeros("data.bin", 40L << 20, 64 * 1024);
        Path filler = disk.resolve("filler");
        String sid = startArchive(receiver, "data");
        try {
            fill(filler, 10L << 20);
            parcel.upload(receiver, sid);

            JsonNode full = error(parcel.finish(receiver, sid), 507, "insufficient_storage");
            assertThat(full.get("message").asText()).doesNotContain("damaged").contains("retry");
            assertThat(receiver.inbox().resolve(".caravan/staging").resolve(sid)).doesNotExist();
            assertThat(receiver.inbox().resolve("data")).doesNotExist();
        } finally {
            Files.deleteIfExists(filler);
        }
        JsonNode published = ok(parcel.finish(receiver, sid), 200);
        assertThat(published.get("path").asText()).isEqualTo("data");
        assertThat(receiver.inbox().resolve("data")).hasSize(40L << 20);
    }

    @Test
    void aChunkThatCannotBeWrittenForLackOfInodesIs507() throws Exception {
        String sid = ok(receiver.send("POST", "/start", null), 201).get("session_id").asText();
        Path fillers = Files.createDirectories(disk.resolve("inodes"));
        try {
            for (int i = 0; ; i++) {
                try {
                    Files.createFile(fillers.resolve("f" + i));
                } catch (FileSystemException e) {
                    break; // no inode left
                }
            }
            JsonNode answer = error(put(receiver, sid, 0, "some bytes".getBytes()), 507, "insufficient_storage");
            assertThat(answer.get("message").asText()).contains("retry");
        } finally {
            try (var files = Files.list(fillers)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(fillers);
        }
        ok(put(receiver, sid, 0, "some bytes".getBytes()), 201);
    }
}
