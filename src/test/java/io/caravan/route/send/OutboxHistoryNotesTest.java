package io.caravan.route.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.caravan.TestTrees;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OutboxHistory#failed}: a note is read without following a link, only when it is a regular
 * file, and only its first {@link OutboxHistory#NOTE_BYTES} bytes; a FIFO, a link or a folder in its
 * place is described, never opened. Only the notes of the parcels listed are read.
 */
class OutboxHistoryNotesTest {

    @TempDir
    Path outbox;

    @Test
    void aFifoInPlaceOfANoteIsDescribedNotOpened() throws Exception {
        Path failed = Files.createDirectories(outbox.resolve(".failed"));
        TestTrees.write(failed.resolve("x"), "d\n");
        Files.move(TestTrees.addFifo(failed), failed.resolve("x.error.txt"));

        List<OutboxHistory.Failed> listed = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> new OutboxHistory(outbox).failed(50));

        assertThat(listed).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("x");
            assertThat(f.reason()).contains("x.error.txt").contains("not a regular file");
        });
    }

    @Test
    void aLinkInPlaceOfANoteIsNotFollowed() throws Exception {
        Path failed = Files.createDirectories(outbox.resolve(".failed"));
        TestTrees.write(failed.resolve("x"), "d\n");
        Path big = outbox.resolveSibling(outbox.getFileName() + "-big.txt");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.write(("parcel: x\n" + Outbox.REASON).getBytes());
            file.setLength(512L << 20);
        }
        try {
            Files.createSymbolicLink(failed.resolve("x.error.txt"), big);

            List<OutboxHistory.Failed> listed = new OutboxHistory(outbox).failed(50);

            assertThat(listed).singleElement().satisfies(f -> assertThat(f.reason()).contains("not a regular file"));
        } finally {
            Files.delete(big);
        }
    }

    @Test
    void onlyTheStartOfALongNoteIsRead() throws Exception {
        Path failed = Files.createDirectories(outbox.resolve(".failed"));
        TestTrees.write(failed.resolve("x"), "d\n");
        TestTrees.write(failed.resolve("x.error.txt"), "parcel: x\n" + Outbox.REASON + "y".repeat(1 << 20));

        List<OutboxHistory.Failed> listed = new OutboxHistory(outbox).failed(50);

        assertThat(listed).singleElement().satisfies(f -> assertThat(f.reason())
                .startsWith("yyy").hasSizeLessThanOrEqualTo(OutboxHistory.NOTE_BYTES));
    }

    @Test
    void theLimitKeepsTheNewestParcelsAndReadsOnlyTheirNotes() throws Exception {
        Path failed = Files.createDirectories(outbox.resolve(".failed"));
        for (String name : List.of("old", "middle", "new")) {
            TestTrees.write(failed.resolve(name), name + "\n");
            TestTrees.write(failed.resolve(name + ".error.txt"), "parcel: " + name + "\n" + Outbox.REASON + "because " + name + "\n\n");
            Thread.sleep(20);
        }
        Files.delete(failed.resolve("old.error.txt"));
        Files.move(TestTrees.addFifo(failed), failed.resolve("old.error.txt")); // never opened: not among the two listed

        List<OutboxHistory.Failed> listed = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> new OutboxHistory(outbox).failed(2));

        assertThat(listed).extracting(OutboxHistory.Failed::name).containsExactly("new", "middle");
        assertThat(listed).extracting(OutboxHistory.Failed::reason).containsExactly("because new", "because middle");
    }
}
