package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.CraftedTar;
import io.caravan.fs.NameRules;
import io.caravan.progress.ProgressListener;
import io.caravan.progress.TransferStats;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives crafted to escape the destination or create devices are refused, naming the entry. */
class HostileEntryTest {

    @TempDir
    Path tmp;

    private Path dest() {
        return tmp.resolve("dest");
    }

    private UnpackResult unpack(CraftedTar archive, ProgressListener listener) throws IOException {
        return new Unpacker(UnpackOptions.DEFAULT, listener).unpackArchive(new ByteArrayInputStream(archive.bytes()), dest());
    }

    private void assertRefused(CraftedTar archive, String entry, String reason) throws IOException {
        assertThatThrownBy(() -> unpack(archive, ProgressListener.NONE))
                .isInstanceOf(UnsafeEntryException.class)
                .hasMessageContaining("refused entry '" + NameRules.printable(entry)) // shortened past 600
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((UnsafeEntryException) e).entry()).isEqualTo(entry));
        try (var stream = Files.walk(tmp)) {
            assertThat(stream.filter(p -> !p.equals(tmp) && !p.equals(dest())).toList())
                    .as("nothing written anywhere, staging removed").isEmpty();
        }
    }

    @Test
    void absolutePath() throws IOException {
        assertRefused(new CraftedTar().file(tmp.resolve("evil.txt").toString()), tmp.resolve("evil.txt").toString(),
                "absolute paths are not extracted");
    }

    @Test
    void reservedTopLevelNames() throws IOException {
        assertRefused(new CraftedTar().dir(".caravan").file(".caravan/dedup.tsv"), ".caravan/", "reserved name");
        assertRefused(new CraftedTar().file(".caravan-staging-0011"), ".caravan-staging-0011", "reserved name");
    }

    /** Names the operating system would refuse (or that could not be published under any name) are refused up front. */
    @Test
    void overlongNames() throws IOException {
        String deep = "tree/" + "a/".repeat(2100) + "f";
        assertRefused(new CraftedTar().file(deep), deep, NameRules.MAX_PATH_BYTES + " bytes");
        String tooDeep = "tree/" + "a/".repeat(NameRules.MAX_DEPTH) + "f";
        assertRefused(new CraftedTar().file(tooDeep), tooDeep, NameRules.MAX_DEPTH + " parts");
        String longPart = "tree/" + "x".repeat(256);
        assertRefused(new CraftedTar().file(longPart), longPart, "longer than 255 bytes");
    }

    @Test
    void dotDot() throws IOException {
        assertRefused(new CraftedTar().file("tree/ok.txt").file("tree/../../evil.txt"), "tree/../../evil.txt", "contains '..'");
        assertRefused(new CraftedTar().file("../evil.txt"), "../evil.txt", "contains '..'");
    }

    @Test
    void symlinkPointingOutside() throws IOException {
        assertRefused(new CraftedTar().link("tree/up", TarConstants.LF_SYMLINK, "../../etc"), "tree/up", "outside the destination");
        assertRefused(new CraftedTar().link("tree/abs", TarConstants.LF_SYMLINK, "/etc/passwd"), "tree/abs", "absolute path '/etc/passwd'");
    }

    /** Judged where it will live: the top-level folder is published elsewhere, so '../sibling' would point out of it. */
    @Test
    void symlinkLeavingItsTopLevelFolderThoughInsideTheStagingFolder() throws IOException {
        assertRefused(new CraftedTar().dir("sibling").link("tree/x", TarConstants.LF_SYMLINK, "../sibling"), "tree/x",
                "outside the destination");
        assertRefused(new CraftedTar().dir("tree/a").link("tree/a/b", TarConstants.LF_SYMLINK, "../../other/dangling"),
                "tree/a/b", "outside the destination");
    }

    @Test
    void writingThroughASymlink() throws IOException {
        Files.createDirectories(tmp.resolve("outside"));
        assertThatThrownBy(() -> unpack(new CraftedTar().link("tree/sub", TarConstants.LF_SYMLINK, ".")
                .file("tree/sub/x.txt"), ProgressListener.NONE))
                .hasMessageContaining("refused entry 'tree/sub/x.txt': it would be written through the symbolic link 'tree/sub'");
    }

    @Test
    void symlinkThatEscapesThroughAnotherSymlink() throws IOException {
        // "dot" -> "." is harmless on its own, and "dot/.." looks like the root; followed, it is the root's parent.
        assertRefused(new CraftedTar().link("dot", TarConstants.LF_SYMLINK, ".").link("esc", TarConstants.LF_SYMLINK, "dot/.."),
                "esc", "points outside the destination");
    }

    @Test
    void hardLinkOutside() throws IOException {
        assertRefused(new CraftedTar().link("tree/passwd", TarConstants.LF_LINK, "../../etc/passwd"), "tree/passwd", "contains '..'");
        assertRefused(new CraftedTar().link("tree/passwd", TarConstants.LF_LINK, "/etc/passwd"), "tree/passwd", "absolute paths");
    }

    @Test
    void hardLinkToSomethingNotExtracted() throws IOException {
        assertRefused(new CraftedTar().link("tree/l", TarConstants.LF_SYMLINK, "f").link("tree/h", TarConstants.LF_LINK, "tree/l"),
                "tree/h", "not a file extracted earlier");
        assertRefused(new CraftedTar().link("tree/h", TarConstants.LF_LINK, "tree/never"), "tree/h", "not a file extracted earlier");
    }

    @Test
    void devicesAndFifos() throws IOException {
        assertRefused(new CraftedTar().special("dev/null", TarConstants.LF_CHR), "dev/null", "device files and FIFOs");
        assertRefused(new CraftedTar().special("dev/sda", TarConstants.LF_BLK), "dev/sda", "device files and FIFOs");
        assertRefused(new CraftedTar().special("pipe", TarConstants.LF_FIFO), "pipe", "device files and FIFOs");
    }

    @Test
    void setuidAndSetgidBitsAreStripped() throws IOException {
        TransferStats stats = new TransferStats();
        unpack(new CraftedTar().file("tool", 0106755).file("group", 0102770), stats);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dest().resolve("tool")))).isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dest().resolve("group")))).isEqualTo("rwxrwx---");
        assertThat(stats.warnings()).hasSize(2).allMatch(w -> w.contains("setuid/setgid bits removed"));
    }

    /** A name the archive holds twice: the later entry is kept, as tar -x keeps it, and a warning says so. */
    @Test
    void aNameGivenTwiceKeepsTheLaterEntryAndSaysSo() throws IOException {
        TransferStats stats = new TransferStats();
        unpack(new CraftedTar().file("twice.txt", 0100600).file("other.txt").file("twice.txt", 0100644), stats);
        assertThat(dest().resolve("twice.txt")).hasContent("content of twice.txt");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dest().resolve("twice.txt")))).isEqualTo("rw-r--r--");
        assertThat(stats.warnings()).singleElement().asString().contains("'twice.txt'", "more than once", "later");
    }

    @Test
    void entryLimitStopsABomb() throws IOException {
        CraftedTar archive = new CraftedTar();
        for (int i = 0; i < 20; i++) {
            archive.file("f" + i);
        }
        UnpackOptions limited = new UnpackOptions(true, OnConflict.REPLACE, ExtractPolicy.DEFAULT.withLimits(10, 1 << 20));
        assertThatThrownBy(() -> new Unpacker(limited, ProgressListener.NONE)
                .unpackArchive(new ByteArrayInputStream(archive.bytes()), dest()))
                .isInstanceOf(ExtractLimitException.class).hasMessageContaining("more than 10 entries");
        assertThat(Files.list(dest()).toList()).isEmpty();
    }
}
