package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.TestTrees;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.Versions;
import io.caravan.session.RequestRejectedException;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MirrorChanges}: renames (files, folders, into new folders, out of read-only folders, only
 * with the expected content) and deletions deepest first; any path escaping the mirror — {@code ..},
 * absolute, or through a symbolic link — refuses the whole request and changes nothing.
 */
class MirrorChangesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void renamesThenDeletesInsideTheMirror() throws Exception {
        Path mirror = Files.createDirectories(dir.resolve("mirror"));
        TestTrees.write(mirror.resolve("a.txt"), "a");
        TestTrees.write(Files.createDirectories(mirror.resolve("folder/sub")).resolve("b.txt"), "b");
        Path locked = Files.createDirectories(mirror.resolve("locked"));
        TestTrees.write(locked.resolve("c.txt"), "c");
        TestTrees.write(mirror.resolve("d.txt"), "d");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));

        MirrorChangesDone answer = changes(mirror, JSON.readTree("""
                {"rename": [{"from": "a.txt", "to": "new folder/a b.txt"},
                            {"from": "folder", "to": "renamed"},
                            {"from": "locked/c.txt", "to": "c.txt"},
                            {"from": "d.txt", "to": "e.txt", "sha256": "%s"},
                            {"from": "missing", "to": "x"}],
                 "delete": ["renamed/sub", "renamed/sub/b.txt", "gone"]}""".formatted("0".repeat(64))));

        assertThat(Files.readString(mirror.resolve("new folder/a b.txt"))).isEqualTo("a");
        assertThat(Files.readString(mirror.resolve("c.txt"))).isEqualTo("c");
        assertThat(mirror.resolve("renamed")).isDirectory();
        assertThat(mirror.resolve("renamed/sub")).doesNotExist();
        assertThat(mirror.resolve("folder")).doesNotExist();
        assertThat(mirror.resolve("d.txt")).as("content differs from the sha256 asked for").exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(locked))).isEqualTo("r-xr-xr-x");
        assertThat(answer.renamed().toString()).contains("a.txt -> new folder/a b.txt", "folder -> renamed");
        assertThat(answer.deleted().toString()).contains("renamed/sub/b.txt", "renamed/sub");
        assertThat(answer.skipped().toString()).contains("d.txt", "missing", "gone");
    }

    @Test
    void pathsOutsideTheMirrorAreRefusedAndNothingChanges() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        TestTrees.write(outside.resolve("precious.txt"), "keep me");
        Path mirror = Files.createDirectories(dir.resolve("mirror"));
        TestTrees.write(mirror.resolve("a.txt"), "a");
        Files.createSymbolicLink(mirror.resolve("link"), outside);
        TreeSnapshot before = TreeSnapshot.of(dir);

        for (String bad : new String[] {"../outside/precious.txt", "/etc/hostname", "a/../../outside",
                "link/precious.txt", "./a.txt", "", "a//b"}) {
            JsonNode delete = JSON.createObjectNode().set("delete", JSON.createArrayNode().add("a.txt").add(bad));
            assertThatThrownBy(() -> changes(mirror, delete)).as(bad)
                    .isInstanceOf(RequestRejectedException.class).hasMessageContaining("refused");
            JsonNode rename = JSON.readTree("{\"rename\":[{\"from\":\"a.txt\",\"to\":" + JSON.writeValueAsString(bad) + "}]}");
            assertThatThrownBy(() -> changes(mirror, rename)).as(bad)
                    .isInstanceOf(RequestRejectedException.class);
        }

        assertThat(TreeSnapshot.of(dir).differences(before)).isEmpty();
        changes(mirror, JSON.readTree("{\"delete\":[\"link\"]}"));
        assertThat(outside.resolve("precious.txt")).as("deleting a link never touches its target").exists();
        assertThat(mirror.resolve("link")).doesNotExist();
    }

    private static MirrorChangesDone changes(Path mirror, JsonNode request) throws java.io.IOException {
        try (ConfinedDir dir = ConfinedDir.open(mirror)) {
            return MirrorChanges.apply(dir, Versions.none().batch(), JSON.treeToValue(request, MirrorChangeRequest.class));
        }
    }
}
