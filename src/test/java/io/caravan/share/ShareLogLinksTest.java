package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncEntry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change log and saved tree of a share ({@code <inbox>/.caravan/shares/<name>/}) are never read or
 * written through a link a local user plants: a link as the log folder is refused, a link as
 * {@code changes.jsonl} or {@code tree.jsonl} (before the start or while serving) is replaced or removed
 * as a link, its target untouched, and a log line longer than any Caravan writes is refused, not read.
 */
class ShareLogLinksTest {

    private static final String PRECIOUS = "precious line\n";

    @TempDir
    Path dir;
    private Path site;
    private Path state;
    private Path logDir;
    private Path victim;

    @BeforeEach
    void folders() throws Exception {
        site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("a.txt"), "a");
        state = dir.resolve("inbox/.caravan");
        logDir = state.resolve("shares/site");
        victim = Files.createDirectories(dir.resolve("victim"));
        Files.writeString(victim.resolve("notes.txt"), PRECIOUS);
    }

    @Test
    void aLinkAsTheChangeLogPlantedWhileServingIsReplacedNotAppendedTo() throws Exception {
        try (Shares shares = shares()) {
            shares.start(List.of("http://127.0.0.1:8834"));
            Share share = shares.get("site");
            long before = share.log().latest();
            Files.deleteIfExists(logDir.resolve(ShareLog.CHANGES));
            Files.createSymbolicLink(logDir.resolve(ShareLog.CHANGES), victim.resolve("notes.txt"));

            Files.writeString(site.resolve("trigger.txt"), "x");

            await().atMost(Duration.ofSeconds(10)).until(() -> share.log().latest() > before);
            assertThat(Files.readString(victim.resolve("notes.txt"))).isEqualTo(PRECIOUS);
            assertThat(Files.isRegularFile(logDir.resolve(ShareLog.CHANGES), LinkOption.NOFOLLOW_LINKS)).isTrue();
            assertThat(Files.readString(logDir.resolve(ShareLog.CHANGES))).contains("trigger.txt");
        }
    }

    @Test
    void linksAsTheLogFilesBeforeTheStartAreRemovedNotFollowed() throws Exception {
        Files.createDirectories(logDir);
        Files.writeString(victim.resolve("tree.jsonl"), PRECIOUS);
        Files.createSymbolicLink(logDir.resolve(ShareLog.CHANGES), victim.resolve("notes.txt"));
        Files.createSymbolicLink(logDir.resolve(ShareLog.TREE), victim.resolve("tree.jsonl"));

        try (Shares shares = shares()) {
            shares.start(List.of("http://127.0.0.1:8834"));
            Files.writeString(site.resolve("b.txt"), "b");
            await().atMost(Duration.ofSeconds(10)).until(() -> shares.get("site").log().listing().entries().containsKey("b.txt"));
        }

        assertThat(Files.readString(victim.resolve("notes.txt"))).isEqualTo(PRECIOUS);
        assertThat(Files.readString(victim.resolve("tree.jsonl"))).isEqualTo(PRECIOUS);
        assertThat(Files.isSymbolicLink(logDir.resolve(ShareLog.CHANGES))).isFalse();
        assertThat(Files.isSymbolicLink(logDir.resolve(ShareLog.TREE))).isFalse();
    }

    @Test
    void aLinkAsTheLogFolderIsRefusedWithAMessage() throws Exception {
        Files.createDirectories(state.resolve("shares"));
        Files.createSymbolicLink(logDir, victim);

        assertThatThrownBy(() -> {
            try (Shares shares = shares()) {
                shares.start(List.of("http://127.0.0.1:8834"));
            }
        }).hasMessageContaining("shares/site").hasMessageContaining("symbolic link").hasMessageContaining("remove");

        try (var listed = Files.list(victim)) {
            assertThat(listed).containsExactly(victim.resolve("notes.txt"));
        }
        assertThat(Files.readString(victim.resolve("notes.txt"))).isEqualTo(PRECIOUS);
    }

    @Test
    void aLogLineLongerThanAnyCaravanWritesIsSkippedNotReadWhole() throws Exception {
        ShareLog first = ShareLog.open("site", logDir, 10);
        first.record(Map.of(), List.of(new ShareEvent(0, ShareEvent.Type.CREATE, "a.txt", null,
                new SyncEntry("a.txt", SyncEntry.Type.FILE, 1, 1_700_000_000_000L, 0644, null, null))));
        // appended by another program: far longer than any line Caravan writes, and no line end
        Files.writeString(logDir.resolve(ShareLog.CHANGES), "x".repeat(ShareLog.MAX_LINE * 4),
                java.nio.file.StandardOpenOption.APPEND);

        ShareLog reopened = ShareLog.open("site", logDir, 10);

        assertThat(reopened.latest()).isEqualTo(1);
        assertThat(reopened.after(0)).extracting(ShareEvent::path).containsExactly("a.txt");
    }

    private Shares shares() throws Exception {
        return new Shares(Map.of("site", site), state, 100, Duration.ofMillis(100), Duration.ofMinutes(1),
                new SyncConsole(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    }
}
