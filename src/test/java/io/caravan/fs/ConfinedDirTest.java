package io.caravan.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfinedDirTest {

    @TempDir
    Path tmp;

    @Test
    void walkingRefusesALinkInAParentPositionAndCreatesNothingBehindIt() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("a"), outside);
        try (ConfinedDir dir = ConfinedDir.open(root)) {
            assertThatThrownBy(() -> dir.openDirs("a/b")).isInstanceOf(UnsafePathException.class)
                    .hasMessageContaining("'a' is a symbolic link");
        }
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void walkingCreatesMissingFoldersAndRefusesFilesOnTheWay() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.writeString(root.resolve("f"), "x");
        try (ConfinedDir dir = ConfinedDir.open(root); ConfinedDir deep = dir.openDirs("x/y/z")) {
            assertThat(deep.display()).isEqualTo("x/y/z");
            assertThat(root.resolve("x/y/z")).isDirectory();
            assertThatThrownBy(() -> dir.openDirs("f/g")).isInstanceOf(UnsafePathException.class)
                    .hasMessageContaining("'f' is a file");
            assertThatThrownBy(() -> dir.openDirs("x/../..")).isInstanceOf(UnsafePathException.class);
        }
    }

    @Test
    void anOpenFolderStaysTheSameFolderWhenItsPathIsSwappedForALink() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.createDirectory(root.resolve("a"));
        try (ConfinedDir dir = ConfinedDir.open(root); ConfinedDir a = dir.openDir("a")) {
            Files.move(root.resolve("a"), root.resolve("a-moved"));
            Files.createSymbolicLink(root.resolve("a"), outside);
            try (FileChannel out = a.create("file")) {
                out.write(ByteBuffer.wrap("data".getBytes(StandardCharsets.UTF_8)));
            }
        }
        assertThat(outside).isEmptyDirectory();
        assertThat(root.resolve("a-moved/file")).hasContent("data");
    }

    @Test
    void createRefusesADanglingLinkInsteadOfWritingThroughIt() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.createSymbolicLink(root.resolve("f"), tmp.resolve("target"));
        try (ConfinedDir dir = ConfinedDir.open(root)) {
            assertThatThrownBy(() -> dir.create("f")).isInstanceOf(FileAlreadyExistsException.class);
            assertThatThrownBy(() -> dir.read("f")).isInstanceOf(UnsafePathException.class).hasMessageContaining("symbolic link");
        }
        assertThat(tmp.resolve("target")).doesNotExist();
    }

    @Test
    void deleteTreeRemovesLinksNotWhatTheyPointTo() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "k");
        Files.createDirectories(root.resolve("t/sub"));
        Files.createSymbolicLink(root.resolve("t/sub/link"), outside);
        Files.writeString(root.resolve("t/sub/file"), "f");
        root.resolve("t/sub").toFile().setWritable(false);
        try (ConfinedDir dir = ConfinedDir.open(root)) {
            dir.deleteTree("t");
        }
        assertThat(root.resolve("t")).doesNotExist();
        assertThat(outside.resolve("keep")).hasContent("k");
    }

    @Test
    void exchangeSwapsAFolderAndAFileAtomically() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.createDirectory(root.resolve("d"));
        Files.writeString(root.resolve("f"), "f");
        try (ConfinedDir dir = ConfinedDir.open(root)) {
            assertThat(dir.exchange("d", dir, "f")).isTrue();
            assertThat(dir.renameNoReplace("d", dir, "f")).isFalse();
            assertThat(dir.renameNoReplace("d", dir, "g")).isTrue();
        }
        assertThat(root.resolve("d")).doesNotExist();
        assertThat(root.resolve("g")).hasContent("f");
        assertThat(root.resolve("f")).isDirectory();
    }
}
