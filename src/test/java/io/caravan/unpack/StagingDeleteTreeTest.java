package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Staging#deleteTree} removes a tree without following a link anywhere in it: a link, as the tree
 * or inside it, is removed as a link, and what it points to keeps its content and permissions; read-only
 * folders of the tree are removed too.
 */
class StagingDeleteTreeTest {

    @TempDir
    Path tmp;

    @Test
    void linksAreRemovedAsLinksAndWhatTheyPointToIsLeftAlone() throws Exception {
        Path victim = Files.createDirectories(tmp.resolve("victim/projects"));
        Files.writeString(victim.resolve("plan.md"), "the plan\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("r-xr-x---"));
        TreeSnapshot before = TreeSnapshot.of(victim.getParent());

        Path linkAsTree = Files.createSymbolicLink(tmp.resolve("staging-link"), victim);
        Staging.deleteTree(linkAsTree);
        assertThat(linkAsTree).doesNotExist();

        Path tree = Files.createDirectories(tmp.resolve("staging/a1/sub"));
        Files.writeString(tree.resolve("f.txt"), "staged\n");
        Files.createSymbolicLink(tree.resolve("out"), victim);
        Files.createSymbolicLink(tree.getParent().resolve("file-out"), victim.resolve("plan.md"));
        Files.setPosixFilePermissions(tree, PosixFilePermissions.fromString("r-x------"));
        Staging.deleteTree(tmp.resolve("staging"));
        assertThat(tmp.resolve("staging")).doesNotExist();

        Staging.deleteTree(tmp.resolve("absent"));
        assertThat(TreeSnapshot.of(victim.getParent()).differences(before)).isEmpty();
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
