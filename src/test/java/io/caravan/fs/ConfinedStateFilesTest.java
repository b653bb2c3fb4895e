package io.caravan.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading and appending Caravan's own state files through an open folder: a link, a pipe (never waited
 * on) or a file with another name (a hard link) is refused; a read is bounded; {@code appendOwn} removes
 * what is not Caravan's own file, itself, and starts the file anew; {@code replace} swaps a link out.
 */
class ConfinedStateFilesTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(10)
    void aPipeIsRefusedAtOnceNotWaitedOn() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("state.json").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        try (ConfinedDir state = ConfinedDir.open(dir)) {
            assertThatThrownBy(() -> state.readSmall("state.json", 1024)).isInstanceOf(UnsafePathException.class)
                    .hasMessageContaining("not a regular file");
            assertThatThrownBy(() -> state.append("state.json")).isInstanceOf(UnsafePathException.class);
        }
    }

    @Test
    void aHardLinkIsRefusedAndAppendOwnStartsTheFileAnew() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Path other = Files.writeString(tmp.resolve("other.txt"), "someone else's\n");
        Files.createLink(dir.resolve("log.jsonl"), other);
        List<String> removed = new ArrayList<>();
        try (ConfinedDir state = ConfinedDir.open(dir)) {
            assertThatThrownBy(() -> state.readSmall("log.jsonl", 1024)).hasMessageContaining("other names");
            try (FileChannel out = state.appendOwn("log.jsonl", removed::add)) {
                out.write(ByteBuffer.wrap("mine\n".getBytes(StandardCharsets.UTF_8)));
            }
        }
        assertThat(Files.readString(other)).isEqualTo("someone else's\n");
        assertThat(Files.readString(dir.resolve("log.jsonl"))).isEqualTo("mine\n");
        assertThat(removed).singleElement().asString().contains("log.jsonl").contains("removed");
    }

    @Test
    void aReadIsBoundedAndReplaceSwapsALinkOut() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Files.writeString(dir.resolve("big"), "x".repeat(2048));
        Path target = Files.writeString(tmp.resolve("target.txt"), "kept\n");
        Files.createSymbolicLink(dir.resolve("state.json"), target);
        try (ConfinedDir state = ConfinedDir.open(dir)) {
            assertThat(state.readSmall("big", 2048)).hasSize(2048);
            assertThatThrownBy(() -> state.readSmall("big", 1024)).hasMessageContaining("larger than the 1024");
            assertThatThrownBy(() -> state.readSmall("state.json", 1024)).hasMessageContaining("symbolic link");
            state.replace("state.json", out -> out.write("{}".getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(Files.readString(target)).isEqualTo("kept\n");
        assertThat(Files.isRegularFile(dir.resolve("state.json"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(dir.resolve("state.json"))).isEqualTo("{}");
    }
}
