package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.fs.BadNameException;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.Versions;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MirrorApply}: an extracted parcel lands on an existing mirror entry by entry — files and
 * links replaced, folders merged with their mode and mtime, type changes in both directions, a
 * read-only folder filled, and a symbolic link in the mirror replaced by a folder, never written through;
 * a parcel holding a name the rules refuse changes nothing.
 */
class MirrorApplyTest {

    private static final FileTime MTIME = FileTime.from(Instant.parse("2022-01-02T03:04:05Z"));

    @TempDir
    Path dir;

    @Test
    void appliesEntriesOntoTheMirrorAndKeepsWhatTheParcelDoesNotName() throws Exception {
        Path mirror = Files.createDirectories(dir.resolve("mirror"));
        TestTrees.write(mirror.resolve("a.txt"), "old");
        TestTrees.write(Files.createDirectories(mirror.resolve("d")).resolve("keep.txt"), "keep");
        Files.createSymbolicLink(mirror.resolve("l"), Path.of("a.txt"));
        TestTrees.write(Files.createDirectories(mirror.resolve("x")).resolve("inside.txt"), "x");
        TestTrees.write(mirror.resolve("y"), "file that becomes a folder");
        Path locked = Files.createDirectories(mirror.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));

        Path staging = Files.createDirectories(dir.resolve("staging"));
        TestTrees.write(staging.resolve("a.txt"), "new");
        Path d = Files.createDirectories(staging.resolve("d"));
        TestTrees.write(d.resolve("new.txt"), "new in d");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(d, MTIME);
        TestTrees.write(staging.resolve("l"), "link became a file");
        TestTrees.write(staging.resolve("x"), "folder became a file");
        Files.createDirectories(staging.resolve("y/z"));
        Path stagedLocked = Files.createDirectories(staging.resolve("locked"));
        TestTrees.write(stagedLocked.resolve("f.txt"), "in a read-only folder");
        Files.setPosixFilePermissions(stagedLocked, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setLastModifiedTime(stagedLocked, MTIME);

        MirrorApply.Result result = apply(staging, mirror);

        assertThat(result.files()).isEqualTo(5);
        assertThat(staging).doesNotExist();
        assertThat(Files.readString(mirror.resolve("a.txt"))).isEqualTo("new");
        assertThat(Files.readString(mirror.resolve("d/keep.txt"))).isEqualTo("keep");
        assertThat(Files.readString(mirror.resolve("d/new.txt"))).isEqualTo("new in d");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mirror.resolve("d")))).isEqualTo("rwxr-x---");
        assertThat(Files.getLastModifiedTime(mirror.resolve("d"))).isEqualTo(MTIME);
        assertThat(Files.isSymbolicLink(mirror.resolve("l"))).isFalse();
        assertThat(Files.readString(mirror.resolve("x"))).isEqualTo("folder became a file");
        assertThat(mirror.resolve("y/z")).isDirectory();
        assertThat(Files.readString(mirror.resolve("locked/f.txt"))).isEqualTo("in a read-only folder");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(locked))).isEqualTo("r-xr-xr-x");
        assertThat(Files.getLastModifiedTime(locked)).isEqualTo(MTIME);
    }

    @Test
    void aLinkInTheMirrorIsReplacedByTheFolderNotWrittenThrough() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path mirror = Files.createDirectories(dir.resolve("mirror"));
        Files.createSymbolicLink(mirror.resolve("d"), outside);
        Path staging = Files.createDirectories(dir.resolve("staging"));
        TestTrees.write(Files.createDirectories(staging.resolve("d")).resolve("evil.txt"), "must stay inside");
        Files.createSymbolicLink(staging.resolve("rel"), Path.of("d/evil.txt"));

        apply(staging, mirror);

        assertThat(outside.resolve("evil.txt")).doesNotExist();
        assertThat(Files.isDirectory(mirror.resolve("d"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(mirror.resolve("d/evil.txt"))).isEqualTo("must stay inside");
        assertThat(Files.readSymbolicLink(mirror.resolve("rel"))).isEqualTo(Path.of("d/evil.txt"));
    }

    /** A name the rules refuse anywhere in the parcel refuses the whole apply: nothing before it lands either. */
    @Test
    void aRefusedNameAnywhereInTheParcelChangesNothing() throws Exception {
        Path staging = Files.createDirectories(dir.resolve("staging/sub/.caravan")).getParent().getParent();
        for (String name : new String[] {"aaa", "sub/.caravan/z", "zzz"}) {
            TestTrees.write(staging.resolve(name), name);
        }
        Path mirror = Files.createDirectories(dir.resolve("mirror"));
        TestTrees.write(mirror.resolve("aaa"), "old");
        TreeSnapshot before = TreeSnapshot.of(mirror);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> apply(staging, mirror))
                .isInstanceOf(BadNameException.class).hasMessageContaining("sub/.caravan");

        assertThat(TreeSnapshot.of(mirror).differences(before)).isEmpty();
    }

    /** A pass that sends a file the mirror has the very same of (a full pass, a pass redone) keeps no copy of it. */
    @Test
    void theSameFileAppliedAgainKeepsNoVersionAndAnotherOneIsKept() throws Exception {
        Path mirror = Files.createDirectories(dir.resolve("mirror"));
        Path staging = Files.createDirectories(dir.resolve("staging"));
        for (Path side : List.of(mirror, staging)) {
            TestTrees.write(side.resolve("same.txt"), "same");
            TestTrees.write(side.resolve("changed.txt"), side == mirror ? "old" : "new");
            Files.setLastModifiedTime(side.resolve("same.txt"), MTIME);
            Files.setLastModifiedTime(side.resolve("changed.txt"), MTIME);
        }
        Versions versions = Versions.inDestination(mirror, java.time.Duration.ofDays(1), java.time.Clock.systemUTC());

        try (ConfinedDir into = ConfinedDir.open(mirror)) {
            MirrorApply.apply(staging, into, versions.batch());
        }

        assertThat(mirror.resolve("same.txt")).hasContent("same");
        assertThat(mirror.resolve("changed.txt")).hasContent("new");
        try (java.util.stream.Stream<Path> kept = Files.walk(mirror.resolve(Versions.IN_DESTINATION))) {
            assertThat(kept.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).containsExactly("changed.txt");
        }
    }

    private static MirrorApply.Result apply(Path staging, Path mirror) throws java.io.IOException {
        java.nio.file.Files.createDirectories(mirror);
        try (ConfinedDir dir = ConfinedDir.open(mirror)) {
            return MirrorApply.apply(staging, dir, Versions.none().batch());
        }
    }
}
