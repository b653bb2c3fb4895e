package io.caravan.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeScannerTest {

    @TempDir
    Path root;

    @Test
    void listsFilesFoldersAndLinksWithTheirMetadataAndLeavesSpecialFilesOut() throws Exception {
        Files.createDirectories(root.resolve("a/b/c"));
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve("top.txt"), "top");
        Files.writeString(root.resolve("a/b/c/deep file ü.txt"), "deep content");
        Files.setPosixFilePermissions(root.resolve("top.txt"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(root.resolve("top.txt"), FileTime.fromMillis(1_700_000_000_000L));
        Files.createSymbolicLink(root.resolve("a/link"), Path.of("b/c/deep file ü.txt"));
        io.caravan.fs.FileTimes.setModified(root.resolve("a/link"), FileTime.fromMillis(1_600_000_000_123L));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere"));
        new ProcessBuilder("mkfifo", root.resolve("a/fifo").toString()).start().waitFor();

        Map<String, SyncEntry> entries = TreeScanner.scan(root);

        assertEquals(List.of("a", "a/b", "a/b/c", "a/b/c/deep file ü.txt", "a/link", "dangling", "empty", "top.txt"),
                List.copyOf(entries.keySet()), "sorted, the FIFO left out, nothing followed through links");
        SyncEntry top = entries.get("top.txt");
        assertEquals(new SyncEntry("top.txt", SyncEntry.Type.FILE, 3, 1_700_000_000_000L, 0750, null, null), top);
        assertEquals(12, entries.get("a/b/c/deep file ü.txt").size());
        assertEquals(SyncEntry.Type.DIR, entries.get("empty").type());
        assertEquals(new SyncEntry("a/link", SyncEntry.Type.LINK, 0, 1_600_000_000_123L, 0777, "b/c/deep file ü.txt", null), entries.get("a/link"));
        assertEquals("nowhere", entries.get("dangling").target());
    }

    @Test
    void aFolderKeepsItsStickyBitAndAFileOnlyItsPermissions() throws Exception {
        Files.createDirectories(root.resolve("pub"));
        Files.writeString(root.resolve("tool"), "tool");
        Files.setAttribute(root.resolve("pub"), "unix:mode", 01777);
        Files.setAttribute(root.resolve("tool"), "unix:mode", 05755); // setuid and sticky

        Map<String, SyncEntry> entries = TreeScanner.scan(root);

        assertEquals(01777, entries.get("pub").mode(), "a shared /tmp-like folder stays one on the followers");
        assertEquals(0755, entries.get("tool").mode(), "setuid is never listed, so never applied");
    }

    @Test
    void excludedEntriesAreNotListedNorExcludedFoldersEntered() throws Exception {
        Files.createDirectories(root.resolve("cache/deep"));
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("cache/deep/x.bin"), "x");
        Files.writeString(root.resolve("src/a.java"), "a");
        Files.writeString(root.resolve("src/a.tmp"), "a");

        Map<String, SyncEntry> entries = TreeScanner.scan(root, PathFilter.of(List.of(PathFilter.Rule.exclude("cache/"),
                PathFilter.Rule.exclude("*.tmp"))));

        assertEquals(List.of("src", "src/a.java"), List.copyOf(entries.keySet()));
    }

    @Test
    void aScanOfSomePathsListsThemAsTheWholeScanDoesAndNothingElse() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.createDirectories(root.resolve("cache"));
        Files.createDirectories(root.resolve("other"));
        Files.writeString(root.resolve("a/b/c.txt"), "c");
        Files.writeString(root.resolve("a/d.txt"), "d");
        Files.writeString(root.resolve("cache/y.txt"), "y");
        Files.writeString(root.resolve("other/z.txt"), "z");
        Files.writeString(root.resolve("f"), "f");
        Files.createSymbolicLink(root.resolve("lnk"), Path.of("a"));
        PathFilter filter = PathFilter.of(List.of(PathFilter.Rule.exclude("cache/")));

        Map<String, SyncEntry> some = TreeScanner.scan(root, filter,
                List.of("a/b", "a/b/c.txt", "lnk/d.txt", "cache/y.txt", "f/g", "missing/m", "a/gone.txt"));

        Map<String, SyncEntry> whole = TreeScanner.scan(root, filter);
        assertEquals(List.of("a", "a/b", "a/b/c.txt", "f", "lnk"), List.copyOf(some.keySet()),
                "the paths with what is below them and the folders above; nothing through the link, the excluded folder or the file");
        some.forEach((path, entry) -> assertEquals(whole.get(path), entry, path));
        assertThrows(NoSuchFileException.class, () -> TreeScanner.scan(root.resolve("absent"), filter, List.of("a")));
    }

    @Test
    void safeLinksLeaveOutLinksThatPointOutsideTheTree() throws Exception {
        java.nio.file.Path sub = java.nio.file.Files.createDirectories(root.resolve("safe/sub"));
        java.nio.file.Files.createSymbolicLink(sub.resolve("abs"), java.nio.file.Path.of("/usr/bin/python3"));
        java.nio.file.Files.createSymbolicLink(sub.resolve("up"), java.nio.file.Path.of("../../elsewhere"));
        java.nio.file.Files.createSymbolicLink(sub.resolve("inside"), java.nio.file.Path.of("../other"));
        java.nio.file.Path tree = sub.getParent();
        org.assertj.core.api.Assertions.assertThat(TreeScanner.scan(tree, PathFilter.NONE.withSafeLinks(true)).keySet())
                .containsExactlyInAnyOrder("sub", "sub/inside");
        org.assertj.core.api.Assertions.assertThat(TreeScanner.scan(tree, PathFilter.NONE).keySet()).contains("sub/abs", "sub/up", "sub/inside");
    }

    @Test
    void aMissingRootIsAnError() {
        assertThrows(NoSuchFileException.class, () -> TreeScanner.scan(root.resolve("missing")));
    }
}
