package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.fs.ConfinedDir;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follow side of the one mirroring engine, on real folders: the push sync's guards
 * (--max-delete, an empty source), dry run and exclude rules hold; --checksum finds a change size
 * and mtime hide; what a pass replaces is kept as a version; the state folder is never touched.
 */
class LocalMirrorTest {

    @TempDir
    Path tmp;
    Path source;
    Path target;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> fetched = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void trees() throws Exception {
        source = Files.createDirectories(tmp.resolve("source"));
        target = Files.createDirectories(tmp.resolve("target"));
        for (String name : List.of("a.txt", "b.txt", "c.txt", "sub/d.txt", "cache.tmp")) {
            Files.createDirectories(source.resolve(name).getParent());
            Files.writeString(source.resolve(name), "content of " + name);
        }
    }

    private LocalMirror mirror(boolean checksum, List<PathFilter.Rule> rules, SyncGuards guards, boolean dryRun) throws Exception {
        return new LocalMirror(target, SyncMode.INCREMENTAL, checksum, 3, rules, guards, dryRun, Duration.ofDays(1),
                new SyncConsole(new PrintStream(out, true, StandardCharsets.UTF_8)), (entry, channel) -> {
                    fetched.add(entry.path());
                    try (InputStream in = Files.newInputStream(source.resolve(entry.path()))) {
                        in.transferTo(channel);
                    }
                });
    }

    private Map<String, SyncEntry> sourceTree(boolean checksum) throws Exception {
        Map<String, SyncEntry> tree = new TreeMap<>();
        for (SyncEntry e : TreeScanner.scan(source).values()) {
            tree.put(e.path(), checksum && e.type() == SyncEntry.Type.FILE ? new SyncEntry(e.path(), e.type(), e.size(), e.mtime(),
                    e.mode(), null, TreeScanner.sha256(source, e.path())) : e);
        }
        return tree;
    }

    /**
     * A long first pass places what it fetched in bounded steps: a follower stopped in its middle (killed, out of
     * memory) keeps the files of every step it finished, where it kept none (one step for the whole pass, whose
     * staging the next start removes: a share's first follow interrupted again and again started over each time).
     */
    @Test
    void aPassStoppedInItsMiddleKeepsWhatItPlacedBefore() throws Exception {
        int files = LocalMirror.PLACE_EVERY_FILES + 500;
        for (int i = 0; i < files; i++) {
            Files.writeString(Files.createDirectories(source.resolve("many/d" + i % 10)).resolve("f" + i + ".txt"), "f" + i);
        }
        java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
        LocalMirror mirror = new LocalMirror(target, SyncMode.INCREMENTAL, false, 1, List.of(), SyncGuards.DEFAULT, false,
                Duration.ofDays(1), new SyncConsole(new PrintStream(out, true, StandardCharsets.UTF_8)), (entry, channel) -> {
                    if (fetches.incrementAndGet() > LocalMirror.PLACE_EVERY_FILES + 100) {
                        throw new OutOfMemoryError("the follower stops here (thrown by the test)");
                    }
                    try (InputStream in = Files.newInputStream(source.resolve(entry.path()))) {
                        in.transferTo(channel);
                    }
                });

        assertThatThrownBy(() -> mirror.pass(sourceTree(false), Set.of(), true, "src")).isInstanceOf(OutOfMemoryError.class);

        long placed;
        try (Stream<Path> all = Files.walk(target)) {
            placed = all.filter(p -> !target.relativize(p).toString().startsWith(LocalMirror.STATE)).filter(Files::isRegularFile).count();
        }
        assertThat(placed).as("files placed before the stop").isGreaterThanOrEqualTo(LocalMirror.PLACE_EVERY_FILES);
    }

    /**
     * A file the source no longer has when it is fetched (deleted since the listing: an editor's swap file, a build's
     * scratch file) is no failure of the pass: it is not placed, and the pass goes on as one that went well (its
     * deletion comes with the next change or compare). As a failure it put a watching follower into its backoff, up
     * to a minute, holding back every later change while such files kept coming and going.
     */
    @Test
    void aFileGoneFromTheSourceBeforeItsFetchIsNoFailure() throws Exception {
        LocalMirror mirror = new LocalMirror(target, SyncMode.INCREMENTAL, false, 3, List.of(), SyncGuards.DEFAULT, false,
                Duration.ofDays(1), new SyncConsole(new PrintStream(out, true, StandardCharsets.UTF_8)), (entry, channel) -> {
                    if (entry.path().equals("cache.tmp")) {
                        throw new LocalMirror.SourceFileGoneException("the share holds no file 'cache.tmp'");
                    }
                    try (InputStream in = Files.newInputStream(source.resolve(entry.path()))) {
                        in.transferTo(channel);
                    }
                });

        MirrorSync.Outcome outcome = mirror.pass(sourceTree(false), Set.of(), true, "src");

        assertThat(outcome.ok()).as(outcome.failures().toString()).isTrue();
        assertThat(outcome.failed()).isZero();
        assertThat(target.resolve("cache.tmp")).doesNotExist();
        assertThat(target.resolve("sub/d.txt")).hasContent("content of sub/d.txt");
    }

    /**
     * A follower's console says one line per change: the version it keeps of each file it replaces is said in the
     * debug log only (one INFO line per kept version came beside each change, 3,528 of them in one run).
     */
    @Test
    void aReplacedFileIsOneLineNotTwo() throws Exception {
        mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), true, "src");
        Files.writeString(source.resolve("a.txt"), "new content of a.txt, longer");
        try (io.caravan.LoggedWarnings logged = new io.caravan.LoggedWarnings(org.apache.logging.log4j.Level.INFO)) {
            mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src");
            assertThat(logged.containing("kept the replaced")).isEmpty();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Modified: a.txt");
        assertThat(target.resolve("a.txt")).hasContent("new content of a.txt, longer");
        try (Stream<Path> kept = Files.walk(target.resolve(LocalMirror.STATE + "/versions"))) {
            assertThat(kept.filter(Files::isRegularFile)).as("the old a.txt, kept").hasSize(1);
        }
    }

    /** A link is made with its own mtime, to the millisecond, as its other entries are. */
    @Test
    void aLinkKeepsItsOwnTime() throws Exception {
        Files.createSymbolicLink(source.resolve("sub/link"), Path.of("d.txt"));
        FileTime time = FileTime.from(java.time.Instant.parse("2001-02-03T04:05:06.789Z"));
        io.caravan.fs.FileTimes.setModified(source.resolve("sub/link"), time);

        mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), true, "src");

        assertThat(Files.readSymbolicLink(target.resolve("sub/link"))).isEqualTo(Path.of("d.txt"));
        assertThat(Files.getLastModifiedTime(target.resolve("sub/link"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(time);
    }

    @Test
    void mirrorsAndGuardsDeletions() throws Exception {
        MirrorSync.Outcome first = mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), true, "src");
        assertThat(first.synced()).isEqualTo(5);
        assertThat(target.resolve("sub/d.txt")).hasContent("content of sub/d.txt");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Found 5 files to check").contains("Results: 5 synced, 0 failed, 0 skipped");

        Files.delete(source.resolve("a.txt"));
        Files.delete(source.resolve("b.txt"));
        LocalMirror guarded = mirror(false, List.of(), new SyncGuards(1, false, SyncGuards.Advice.COMMAND_LINE), false);
        assertThatThrownBy(() -> guarded.pass(sourceTree(false), Set.of(), false, "src")).isInstanceOf(TooManyDeletesException.class);
        assertThat(target.resolve("a.txt")).exists();

        try (Stream<Path> all = Files.list(source)) {
            for (Path p : all.toList()) {
                ConfinedDir.open(source).deleteTree(p.getFileName().toString());
            }
        }
        assertThatThrownBy(() -> mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src"))
                .isInstanceOf(EmptySourceException.class);
        assertThat(target.resolve("c.txt")).exists();
    }

    @Test
    void dryRunAndExcludesChangeNothingTheyShouldNot() throws Exception {
        mirror(false, List.of(), SyncGuards.DEFAULT, true).pass(sourceTree(false), Set.of(), true, "src");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Would create: a.txt");
        try (Stream<Path> all = Files.list(target)) {
            assertThat(all.map(p -> p.getFileName().toString())).containsOnly(LocalMirror.STATE);
        }
        Files.writeString(target.resolve("local.tmp"), "mine");
        mirror(false, List.of(PathFilter.Rule.exclude("*.tmp")), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src");
        assertThat(target.resolve("local.tmp")).hasContent("mine");
        assertThat(target.resolve("cache.tmp")).doesNotExist();
        assertThat(target.resolve("a.txt")).exists();
    }

    @Test
    void checksumFindsAHiddenChangeAndKeepsTheReplacedFile() throws Exception {
        mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src");
        FileTime mtime = Files.getLastModifiedTime(target.resolve("a.txt"));
        Files.writeString(target.resolve("a.txt"), "CONTENT OF a.txt"); // same size
        Files.setLastModifiedTime(target.resolve("a.txt"), mtime);
        mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src");
        assertThat(target.resolve("a.txt")).hasContent("CONTENT OF a.txt");
        mirror(true, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(true), Set.of(), false, "src");
        assertThat(target.resolve("a.txt")).hasContent("content of a.txt");
        try (Stream<Path> kept = Files.walk(target.resolve(LocalMirror.STATE).resolve("versions"))) {
            assertThat(kept.filter(p -> p.getFileName().toString().equals("a.txt"))).hasSize(1);
        }
    }

    @Test
    void aPassOverNamedPathsLooksAtNothingElse() throws Exception {
        mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src");
        Files.delete(target.resolve("b.txt")); // changed in the mirror itself: not named, so left for a whole pass
        Files.writeString(target.resolve("stray.txt"), "mine");
        Files.writeString(source.resolve("a.txt"), "new content of a.txt");
        Files.writeString(source.resolve("sub/e.txt"), "e");
        Files.delete(source.resolve("c.txt"));
        fetched.clear();

        mirror(false, List.of(), SyncGuards.DEFAULT, false).passOver(sourceTree(false), Set.of("a.txt", "sub/e.txt", "c.txt"),
                Set.of("a.txt", "sub/e.txt"), Map.of(), "src");
        assertThat(fetched).containsExactlyInAnyOrder("a.txt", "sub/e.txt");
        assertThat(target.resolve("a.txt")).hasContent("new content of a.txt");
        assertThat(target.resolve("sub/e.txt")).hasContent("e");
        assertThat(target.resolve("c.txt")).doesNotExist();
        assertThat(target.resolve("b.txt")).doesNotExist();
        assertThat(target.resolve("stray.txt")).hasContent("mine");

        mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src");
        assertThat(target.resolve("b.txt")).hasContent("content of b.txt");
        assertThat(target.resolve("stray.txt")).doesNotExist();
    }

    @Test
    void aPassOverNamedPathsKeepsTheGuards() throws Exception {
        mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src");
        Files.delete(source.resolve("a.txt"));
        Files.delete(source.resolve("b.txt"));
        LocalMirror guarded = mirror(false, List.of(), new SyncGuards(1, false, SyncGuards.Advice.COMMAND_LINE), false);
        assertThatThrownBy(() -> guarded.passOver(sourceTree(false), Set.of("a.txt", "b.txt"), Set.of(), Map.of(), "src"))
                .isInstanceOf(TooManyDeletesException.class);
        assertThat(target.resolve("a.txt")).exists();
        // one deletion of a source that still holds entries is no empty source, though none of them is named
        mirror(false, List.of(), SyncGuards.DEFAULT, false).passOver(sourceTree(false), Set.of("a.txt"), Set.of(), Map.of(), "src");
        assertThat(target.resolve("a.txt")).doesNotExist();

        try (Stream<Path> all = Files.list(source)) {
            for (Path p : all.toList()) {
                ConfinedDir.open(source).deleteTree(p.getFileName().toString());
            }
        }
        assertThatThrownBy(() -> mirror(false, List.of(), SyncGuards.DEFAULT, false).passOver(sourceTree(false),
                Set.of("b.txt"), Set.of(), Map.of(), "src")).isInstanceOf(EmptySourceException.class);
        assertThat(target.resolve("b.txt")).exists();
    }

    @Test
    void aPassOverNamedPathsNeverLooksThroughALinkOfTheMirror() throws Exception {
        mirror(false, List.of(), SyncGuards.DEFAULT, false).pass(sourceTree(false), Set.of(), false, "src");
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.copy(source.resolve("sub/d.txt"), outside.resolve("d.txt"));
        Files.setLastModifiedTime(outside.resolve("d.txt"), Files.getLastModifiedTime(source.resolve("sub/d.txt")));
        ConfinedDir.open(target).deleteTree("sub");
        Files.createSymbolicLink(target.resolve("sub"), outside); // what lies behind it looks like the source's sub/d.txt

        mirror(false, List.of(), SyncGuards.DEFAULT, false).passOver(sourceTree(false), Set.of("sub/d.txt"), Set.of(), Map.of(), "src");
        assertThat(target.resolve("sub")).isDirectory().isNotEqualTo(outside);
        assertThat(Files.isSymbolicLink(target.resolve("sub"))).isFalse();
        assertThat(target.resolve("sub/d.txt")).hasContent("content of sub/d.txt");
        try (Stream<Path> there = Files.list(outside)) {
            assertThat(there.map(p -> p.getFileName().toString())).containsExactly("d.txt");
        }
    }
}
