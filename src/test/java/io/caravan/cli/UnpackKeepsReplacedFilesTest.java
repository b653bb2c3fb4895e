package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack} into a folder that already holds files of the same names replaces them as
 * the user asked, and keeps each replaced file as a version under {@code <dir>/.caravan/versions}:
 * nothing is destroyed unless {@code --keep-versions 0} says so.
 */
class UnpackKeepsReplacedFilesTest {

    @TempDir
    Path tmp;

    @Test
    void mergeKeepsTheReplacedFileAsAVersion() throws Exception {
        Path archive = archiveOfDocs("new\n");
        Path dest = tmp.resolve("dest");
        TestTrees.write(Files.createDirectories(dest.resolve("docs")).resolve("a.txt"), "mine\n");
        TestTrees.write(dest.resolve("docs/b.txt"), "untouched\n");

        CliRunner.Result unpack = CliRunner.run("unpack", archive.toString(), dest.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        assertThat(Files.readString(dest.resolve("docs/a.txt"))).isEqualTo("new\n");
        assertThat(Files.readString(dest.resolve("docs/b.txt"))).isEqualTo("untouched\n");
        assertThat(TestTrees.keptVersions(dest, "docs/a.txt")).containsExactly("mine\n");
    }

    @Test
    void replaceKeepsTheWholeFolderAsAVersion() throws Exception {
        Path archive = archiveOfDocs("new\n");
        Path dest = tmp.resolve("dest");
        TestTrees.write(Files.createDirectories(dest.resolve("docs")).resolve("a.txt"), "mine\n");
        TestTrees.write(dest.resolve("docs/b.txt"), "only here\n");

        CliRunner.Result unpack = CliRunner.run("unpack", archive.toString(), dest.toString(), "--on-conflict", "replace", "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        assertThat(dest.resolve("docs/b.txt")).doesNotExist();
        assertThat(TestTrees.keptVersions(dest, "docs/b.txt")).containsExactly("only here\n");
        assertThat(TestTrees.keptVersions(dest, "docs/a.txt")).containsExactly("mine\n");
    }

    @Test
    void aVersionsFolderThatIsALinkIsRefusedAndNothingIsReplaced() throws Exception {
        Path archive = archiveOfDocs("new\n");
        Path dest = tmp.resolve("dest");
        TestTrees.write(Files.createDirectories(dest.resolve("docs")).resolve("a.txt"), "mine\n");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(dest.resolve(".caravan"), elsewhere);

        CliRunner.Result unpack = CliRunner.run("unpack", archive.toString(), dest.toString(), "-q");

        assertThat(unpack.exitCode()).isEqualTo(1);
        assertThat(unpack.err()).contains(".caravan");
        assertThat(Files.readString(dest.resolve("docs/a.txt"))).isEqualTo("mine\n");
        try (var written = Files.list(elsewhere)) {
            assertThat(written.toList()).isEmpty();
        }
    }

    @Test
    void aMergeRefusedDeepDownChangesNothing() throws Exception {
        packTypeChangeBelowAFile();
        Path dest = tmp.resolve("dest");
        CliRunner.Result first = CliRunner.run("unpack", tmp.resolve("out-v1/top").toString(), dest.toString(), "-q");
        assertThat(first.exitCode()).as(first.err()).isZero();

        CliRunner.Result refused = CliRunner.run("unpack", tmp.resolve("out-v2/top").toString(), dest.toString(), "-q");

        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(1);
        assertThat(refused.err()).contains("'top/z/m' is a folder").contains("nothing was published")
                .contains("Unpack into another folder", "--force").doesNotContain("Send into");
        assertThat(dest.resolve("top/a.txt")).as("a file sorted before the conflict").hasContent("OLD");
        assertThat(dest.resolve("top/z/m/keep.txt")).hasContent("keep");
        assertThat(dest.resolve(".caravan/versions")).as("nothing replaced, so nothing kept").doesNotExist();
    }

    /** {@code --force} lets a file of the archive take a folder's place; the folder is kept as a version. */
    @Test
    void forceReplacesAFolderByAFileAndKeepsTheFolderAsAVersion() throws Exception {
        packTypeChangeBelowAFile();
        Path dest = tmp.resolve("dest");
        assertThat(CliRunner.run("unpack", tmp.resolve("out-v1/top").toString(), dest.toString(), "-q").exitCode()).isZero();

        CliRunner.Result forced = CliRunner.run("unpack", tmp.resolve("out-v2/top").toString(), dest.toString(), "--force", "-q");

        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(dest.resolve("top/z/m")).isRegularFile().hasContent("a file where a folder was");
        assertThat(TestTrees.keptVersions(dest, "top/z/m/keep.txt")).containsExactly("keep\n");
    }

    /** {@link TestTrees#typeChangeBelowAFile} packed: out-v1/top and out-v2/top. */
    private void packTypeChangeBelowAFile() throws Exception {
        TestTrees.typeChangeBelowAFile(tmp);
        for (String version : new String[] {"v1", "v2"}) {
            CliRunner.Result pack = CliRunner.run("pack", tmp.resolve(version + "/top").toString(),
                    "--out", tmp.resolve("out-" + version + "/top").toString(), "-q");
            assertThat(pack.exitCode()).as(pack.err()).isZero();
        }
    }

    private Path archiveOfDocs(String content) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/docs"));
        TestTrees.write(source.resolve("a.txt"), content);
        Path prefix = tmp.resolve("out/docs");
        CliRunner.Result pack = CliRunner.run("pack", source.toString(), "--out", prefix.toString(), "-q");
        assertThat(pack.exitCode()).as(pack.err()).isZero();
        return prefix;
    }
}
