package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.StoppedAfterMove;
import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror rename over an existing file, stopped right after any of its moves as a killed process stops: the
 * replaced file is at its place or in the versions area, never left under the rename's source name.
 */
class MirrorRenameStoppedMidwayTest {

    @TempDir
    Path tmp;

    @Test
    void aRenameOverAFileStoppedAfterAnyMoveKeepsTheReplacedFileAsAVersion() throws Exception {
        int stops = 0;
        for (int n = 1; ; n++) {
            Path mirror = Files.createDirectories(tmp.resolve("mirror-" + n).resolve("m"));
            Files.writeString(mirror.resolve("a.txt"), "old a\n");
            Files.writeString(mirror.resolve("x.txt"), "renamed\n");
            Versions versions = Versions.below(mirror.getParent(), "versions", Duration.ofDays(7), Clock.systemUTC());
            MirrorChangeRequest request = new MirrorChangeRequest(List.of(new MirrorChangeRequest.Rename("x.txt", "a.txt", null)),
                    List.of());
            boolean stopped = StoppedAfterMove.stopAfter(n, () -> {
                try (ConfinedDir dir = ConfinedDir.open(mirror)) {
                    MirrorChanges.apply(dir, versions.batch(), request);
                }
            });
            String atPlace = Files.readString(mirror.resolve("a.txt"));
            assertThat(Stream.concat(Stream.of(atPlace), kept(mirror.getParent().resolve("versions")).stream()))
                    .as("after move %d", n).contains("old a\n");
            if (!stopped) {
                assertThat(atPlace).isEqualTo("renamed\n");
                assertThat(mirror.resolve("x.txt")).doesNotExist();
                break;
            }
            stops++;
        }
        assertThat(stops).isPositive();
    }

    private static List<String> kept(Path versions) throws IOException {
        if (!Files.exists(versions)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(versions)) {
            return files.filter(Files::isRegularFile).map(file -> {
                try {
                    return Files.readString(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
