package io.caravan.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content index log ({@code <inbox>/.caravan/dedup.jsonl}) is never read or written through a link a
 * local user plants: a link as the log is removed as a link (its target untouched) and the log written
 * anew, before the start or while the receiver runs; a link as the state folder is refused (the index
 * goes on in memory) and nothing is written where it points.
 */
class DedupLogLinksTest {

    private static final String PRECIOUS = "precious line\n";

    @TempDir
    Path tmp;
    private Path inbox;
    private Path victim;

    @BeforeEach
    void folders() throws Exception {
        inbox = Files.createDirectories(tmp.resolve("inbox"));
        victim = Files.createDirectories(tmp.resolve("victim"));
        Files.writeString(victim.resolve("notes.txt"), PRECIOUS);
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        Files.write(inbox.resolve("a.bin"), data);
        Files.write(inbox.resolve("b.bin"), data.clone());
    }

    private DedupIndex index() throws Exception {
        return new DedupIndex(inbox, inbox.resolve(".caravan/dedup.jsonl"), () -> false);
    }

    @Test
    void aLinkAsTheLogPlantedWhileRunningIsReplacedNotAppendedTo() throws Exception {
        Path log = Files.createDirectories(inbox.resolve(".caravan")).resolve("dedup.jsonl");
        try (DedupIndex index = index()) {
            index.recordLater(List.of(inbox.resolve("a.bin")));
            Files.delete(log);
            Files.createSymbolicLink(log, victim.resolve("notes.txt"));

            index.recordLater(List.of(inbox.resolve("b.bin")));
        }

        assertThat(Files.readString(victim.resolve("notes.txt"))).isEqualTo(PRECIOUS);
        assertThat(Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(log)).contains("b.bin");
    }

    @Test
    void aLinkAsTheLogBeforeTheStartIsNotReadNorAppendedTo() throws Exception {
        Path log = Files.createDirectories(inbox.resolve(".caravan")).resolve("dedup.jsonl");
        Files.createSymbolicLink(log, victim.resolve("notes.txt"));

        try (DedupIndex index = index()) {
            index.recordLater(List.of(inbox.resolve("a.bin")));
        }

        assertThat(Files.readString(victim.resolve("notes.txt"))).isEqualTo(PRECIOUS);
        assertThat(Files.isSymbolicLink(log)).isFalse();
    }

    @Test
    void aLinkAsTheStateFolderIsRefusedAndNothingIsWrittenWhereItPoints() throws Exception {
        Files.createSymbolicLink(inbox.resolve(".caravan"), victim);

        try (DedupIndex index = index()) {
            index.recordLater(List.of(inbox.resolve("a.bin")));
        }

        try (var listed = Files.list(victim)) {
            assertThat(listed).containsExactly(victim.resolve("notes.txt"));
        }
    }
}
