package io.caravan.fs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.caravan.pack.SourceReads;
import io.caravan.util.FileIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opens that serve files (a published file or share file and its bundles, the entries of a zip download, a
 * mirror's checksum listing, a receiver's packing of a download's chunks or tar) never wait on a pipe: one swapped in for a file
 * between the check of its type and the open (a local user's race) is refused at once. Before, the open itself
 * blocked until some process wrote to the pipe, holding a request thread, or one of Netty's event loops for a
 * share's bundle, for good.
 */
class PipesAreNeverWaitedOnTest {

    @TempDir
    Path tmp;
    private Path fifo;

    @BeforeEach
    void pipe() throws Exception {
        fifo = tmp.resolve("victim");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        if (mkfifo.waitFor() != 0) {
            throw new IllegalStateException("mkfifo failed");
        }
    }

    @Test
    void readingAnEntryOfAConfinedFolderRefusesAPipe() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            try (ConfinedDir dir = ConfinedDir.open(tmp)) {
                assertThatThrownBy(() -> dir.read("victim").close()).isInstanceOf(UnsafePathException.class)
                        .hasMessageContaining("not a regular file");
            }
        });
    }

    @Test
    void aSourceReadRefusesAPipeNamingItsPath() {
        FileIdentity identity = new FileIdentity(1, 2, 3, 4, 5);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(() -> SourceReads.confined().open(fifo, identity).close())
                        .isInstanceOf(java.io.IOException.class).hasMessageContaining(fifo.toString())
                        .hasMessageContaining("not a regular file"));
    }

    @Test
    void aRegularFileIsReadAsBefore() throws Exception {
        Files.writeString(tmp.resolve("plain.txt"), "plain");
        try (ConfinedDir dir = ConfinedDir.open(tmp); var in = dir.read("plain.txt")) {
            org.assertj.core.api.Assertions.assertThat(new String(in.readAllBytes())).isEqualTo("plain");
        }
    }
}
