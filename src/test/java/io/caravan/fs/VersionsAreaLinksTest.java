package io.caravan.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A versions area that is a link, however it is given (a folder of its own, or a folder below a
 * destination), is never written or cleaned through: keeping a replaced entry is refused with a message
 * naming the link, the entry stays where it was, and the cleanup removes nothing where the link points.
 */
class VersionsAreaLinksTest {

    @TempDir
    Path tmp;

    @Test
    void aLinkAsTheAreaIsNeitherFilledNorCleaned() throws Exception {
        Path destination = Files.createDirectories(tmp.resolve("dest/.caravan")).getParent();
        Path victim = Files.createDirectories(tmp.resolve("victim/20200101T000000Z-abcdef"));
        Files.writeString(victim.resolve("old.txt"), "someone's file\n");
        TreeSnapshot before = TreeSnapshot.of(victim.getParent());
        Files.createSymbolicLink(destination.resolve(".caravan/versions"), victim.getParent());

        for (Versions versions : List.of(
                new Versions(destination.resolve(".caravan/versions"), Duration.ofDays(1), Clock.systemUTC()),
                Versions.inDestination(destination, Duration.ofDays(1), Clock.systemUTC()))) {
            Files.writeString(destination.resolve("doc"), "replaced\n");
            try (ConfinedDir dir = ConfinedDir.open(destination)) {
                assertThatThrownBy(() -> versions.batch().keep(dir, "doc", "doc"))
                        .isInstanceOf(UnsafePathException.class).hasMessageContaining("symbolic link");
            }
            assertThat(destination.resolve("doc")).hasContent("replaced\n");
            try {
                versions.cleanup();
            } catch (UnsafePathException refused) {
                assertThat(refused).hasMessageContaining("versions").hasMessageContaining("symbolic link");
            }
            assertThat(TreeSnapshot.of(victim.getParent()).differences(before)).isEmpty();
        }
    }
}
