package io.caravan.sync;

import static io.caravan.sync.PathFilter.Rule.exclude;
import static io.caravan.sync.PathFilter.Rule.include;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PathFilter}: rsync's pattern rules ({@code *}, {@code **}, {@code ?}, {@code [...]}, a
 * leading {@code /} anchors at the root, a trailing {@code /} matches folders only, a pattern
 * without a slash matches a name at any depth), the first matching rule wins, nothing below an
 * excluded folder comes back, and a {@code .caravanignore} file adds its lines after the given rules.
 */
class PathFilterTest {

    @TempDir
    Path dir;

    @Test
    void starMatchesWithinOneNameAtAnyDepth() {
        PathFilter filter = PathFilter.of(List.of(exclude("*.tmp")));

        assertThat(filter.excludes("a.tmp", false)).isTrue();
        assertThat(filter.excludes("x/y/b.tmp", false)).isTrue();
        assertThat(filter.excludes("folder.tmp/inside.txt", false)).as("below an excluded folder").isTrue();
        assertThat(filter.excludes("a.tmpl", false)).isFalse();
        assertThat(filter.excludes("a/tmp", false)).isFalse();
        assertThat(filter.excludes("a.txt", false)).isFalse();
    }

    @Test
    void trailingSlashMatchesFoldersOnly() {
        PathFilter filter = PathFilter.of(List.of(exclude("cache/")));

        assertThat(filter.excludes("cache", true)).isTrue();
        assertThat(filter.excludes("x/cache", true)).isTrue();
        assertThat(filter.excludes("cache/deep/file.bin", false)).isTrue();
        assertThat(filter.excludes("cache", false)).as("a file named cache").isFalse();
        assertThat(filter.excludes("x/cache", false)).isFalse();
    }

    @Test
    void leadingSlashAnchorsAtTheRoot() {
        PathFilter filter = PathFilter.of(List.of(exclude("/build")));

        assertThat(filter.excludes("build", true)).isTrue();
        assertThat(filter.excludes("build/out.o", false)).isTrue();
        assertThat(filter.excludes("src/build", true)).isFalse();
    }

    @Test
    void aPatternWithASlashMatchesTheEndOfThePath() {
        PathFilter filter = PathFilter.of(List.of(exclude("docs/*.md")));

        assertThat(filter.excludes("docs/a.md", false)).isTrue();
        assertThat(filter.excludes("x/docs/a.md", false)).isTrue();
        assertThat(filter.excludes("docs/sub/a.md", false)).as("* stops at slashes").isFalse();
        assertThat(filter.excludes("mydocs/a.md", false)).as("matched at a slash only").isFalse();
    }

    @Test
    void doubleStarCrossesSlashesAndMatchesNoFolderToo() {
        PathFilter filter = PathFilter.of(List.of(exclude("/a/**/z"), exclude("logs/**")));

        assertThat(filter.excludes("a/z", false)).isTrue();
        assertThat(filter.excludes("a/b/z", false)).isTrue();
        assertThat(filter.excludes("a/b/c/z", false)).isTrue();
        assertThat(filter.excludes("a/b/zz", false)).isFalse();
        assertThat(filter.excludes("q/a/b/z", false)).as("anchored").isFalse();
        assertThat(filter.excludes("logs/x/y.log", false)).isTrue();
        assertThat(filter.excludes("logs", true)).as("logs/** matches what is inside, not the folder").isFalse();
    }

    @Test
    void questionMarkAndBracketsMatchOneCharacter() {
        PathFilter filter = PathFilter.of(List.of(exclude("file?.txt"), exclude("[ab]*.log"), exclude("[!0-9x]?.dat"),
                exclude("[[:digit:]][[:digit:]].csv")));

        assertThat(filter.excludes("file1.txt", false)).isTrue();
        assertThat(filter.excludes("file10.txt", false)).isFalse();
        assertThat(filter.excludes("a1.log", false)).isTrue();
        assertThat(filter.excludes("b.log", false)).isTrue();
        assertThat(filter.excludes("c.log", false)).isFalse();
        assertThat(filter.excludes("q1.dat", false)).isTrue();
        assertThat(filter.excludes("71.dat", false)).isFalse();
        assertThat(filter.excludes("x1.dat", false)).isFalse();
        assertThat(filter.excludes("42.csv", false)).isTrue();
        assertThat(filter.excludes("4a.csv", false)).isFalse();
    }

    @Test
    void backslashEscapesAndOtherCharactersAreLiteral() {
        PathFilter filter = PathFilter.of(List.of(exclude("lit\\*.txt"), exclude("a+b (1).txt"), exclude("[unclosed")));

        assertThat(filter.excludes("lit*.txt", false)).isTrue();
        assertThat(filter.excludes("litx.txt", false)).isFalse();
        assertThat(filter.excludes("a+b (1).txt", false)).isTrue();
        assertThat(filter.excludes("aab (1).txt", false)).isFalse();
        assertThat(filter.excludes("[unclosed", false)).isTrue();
    }

    @Test
    void theFirstMatchingRuleWins() {
        PathFilter keep = PathFilter.of(List.of(include("keep.tmp"), exclude("*.tmp")));
        PathFilter drop = PathFilter.of(List.of(exclude("*.tmp"), include("keep.tmp")));

        assertThat(keep.excludes("keep.tmp", false)).isFalse();
        assertThat(keep.excludes("other.tmp", false)).isTrue();
        assertThat(drop.excludes("keep.tmp", false)).isTrue();
    }

    @Test
    void nothingBelowAnExcludedFolderComesBack() {
        PathFilter filter = PathFilter.of(List.of(include("cache/keep.txt"), exclude("cache/")));

        assertThat(filter.excludes("cache/keep.txt", false)).isTrue();
    }

    @Test
    void rsyncsOnlyTheseFilesIdiom() {
        PathFilter txtOnly = PathFilter.of(List.of(include("*/"), include("*.txt"), exclude("*")));
        PathFilter oneFolder = PathFilter.of(List.of(include("/site/***"), exclude("*")));

        assertThat(txtOnly.excludes("a", true)).isFalse();
        assertThat(txtOnly.excludes("a/b.txt", false)).isFalse();
        assertThat(txtOnly.excludes("a/c.bin", false)).isTrue();
        assertThat(oneFolder.excludes("site", true)).isFalse();
        assertThat(oneFolder.excludes("site/x/y.html", false)).isFalse();
        assertThat(oneFolder.excludes("other", true)).isTrue();
        assertThat(oneFolder.excludes("top.txt", false)).isTrue();
    }

    @Test
    void ignoreFileLinesAreExcludesWithCommentsAndReincludes() {
        List<PathFilter.Rule> rules = PathFilter.parseIgnoreFile(List.of("# build output", "", "  !important.log  ",
                "*.log", "\\#hash.txt", "\\!bang.txt", "node_modules/\r"));

        assertThat(rules).containsExactly(include("important.log"), exclude("*.log"), exclude("#hash.txt"),
                exclude("!bang.txt"), exclude("node_modules/"));
    }

    @Test
    void theIgnoreFileOfTheRootComesAfterTheGivenRules() throws Exception {
        Files.writeString(dir.resolve(PathFilter.IGNORE_FILE), "!keep.log\n*.log\n*.bak\n");

        PathFilter filter = PathFilter.load(dir, List.of(include("x.bak")));

        assertThat(filter.isEmpty()).isFalse();
        assertThat(filter.excludes("keep.log", false)).isFalse();
        assertThat(filter.excludes("other.log", false)).isTrue();
        assertThat(filter.excludes("x.bak", false)).as("the command line comes first").isFalse();
        assertThat(filter.excludes("y.bak", false)).isTrue();
        assertThat(PathFilter.load(dir.resolve("missing"), List.of()).isEmpty()).as("no rules, no file").isTrue();
    }

    @Test
    void aSharedIgnoreFileThatIsNotUtf8IsReadWithReplacementsAndAnOversizedOneIsIgnored() throws Exception {
        Files.write(dir.resolve(PathFilter.IGNORE_FILE), new byte[] {(byte) 0xFF, (byte) 0xFE, '\n', '*', '.', 'l', 'o', 'g', '\n'});

        PathFilter filter = PathFilter.loadShared(dir, List.of());

        assertThat(filter.excludes("other.log", false)).isTrue();
        assertThat(filter.excludes("a.txt", false)).isFalse();
        assertThatThrownBy(() -> PathFilter.load(dir, List.of())).as("one's own is refused")
                .isInstanceOf(java.nio.charset.CharacterCodingException.class);

        Files.write(dir.resolve(PathFilter.IGNORE_FILE), new byte[PathFilter.MAX_IGNORE_FILE + 1]);
        assertThat(PathFilter.loadShared(dir, List.of(exclude("*.tmp"))).rules()).as("ignored, the given rules kept")
                .containsExactly(exclude("*.tmp"));
    }

    @Test
    void retainKeepsTheEntriesNotExcluded() {
        Map<String, SyncEntry> entries = new TreeMap<>();
        for (SyncEntry e : List.of(new SyncEntry("cache", SyncEntry.Type.DIR, 0, 0, 0755, null, null),
                new SyncEntry("cache/x", SyncEntry.Type.FILE, 1, 0, 0644, null, null),
                new SyncEntry("a.txt", SyncEntry.Type.FILE, 1, 0, 0644, null, null),
                new SyncEntry("b.tmp", SyncEntry.Type.FILE, 1, 0, 0644, null, null))) {
            entries.put(e.path(), e);
        }

        Map<String, SyncEntry> kept = PathFilter.of(List.of(exclude("cache/"), exclude("*.tmp"))).retain(entries);

        assertThat(kept).containsOnlyKeys("a.txt");
        assertThat(PathFilter.NONE.retain(entries)).isSameAs(entries);
    }
}
