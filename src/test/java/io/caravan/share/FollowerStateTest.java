package io.caravan.share;

import static io.caravan.share.FakeShare.dir;
import static io.caravan.share.FakeShare.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.sync.LocalMirror;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower's state folder is never used through a link planted in it, and what fails is named
 * by its path in the folder, never by the descriptor path it was reached through.
 */
class FollowerStateTest {

    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path tmp;
    FakeShare share;
    Path target;
    Path outside;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> refused = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        share = new FakeShare();
        target = Files.createDirectories(tmp.resolve("fol"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        share.listing(1, file("a.txt", 2, T));
        share.file("a.txt", "aa");
    }

    @AfterEach
    void stop() {
        share.close();
    }

    @Test
    void aLinkedCursorTempFileIsReplacedNotWrittenThrough() throws Exception {
        Path victim = Files.writeString(outside.resolve("victim"), "keep");
        Files.createDirectories(target.resolve(LocalMirror.STATE));
        Files.createSymbolicLink(target.resolve(LocalMirror.STATE + "/cursor.tmp"), victim);

        share.follower(target, false, out, refused).once();

        assertThat(victim).hasContent("keep");
        assertThat(target.resolve(LocalMirror.STATE + "/cursor")).isRegularFile();
        assertThat(target.resolve("a.txt")).hasContent("aa");
    }

    @Test
    void aLinkedVersionsFolderIsRefusedAndNothingOutsideIsTouched() throws Exception {
        Path old = Files.createDirectories(outside.resolve("20000101T000000Z-abcdef"));
        Files.createDirectories(target.resolve(LocalMirror.STATE));
        Files.createSymbolicLink(target.resolve(LocalMirror.STATE + "/versions"), outside);

        assertThatThrownBy(() -> share.follower(target, false, out, refused)).hasMessageContaining("symbolic link")
                .hasMessageContaining(".caravan-follow/versions");
        assertThat(old).isDirectory();
    }

    @Test
    void aLinkedStagingAreaIsNeverFollowed() throws Exception {
        Path kept = Files.createDirectories(outside.resolve("kept"));
        Files.createDirectories(target.resolve(LocalMirror.STATE));
        Files.createSymbolicLink(target.resolve(LocalMirror.STATE + "/.caravan-staging-000000000000"), outside);

        share.follower(target, false, out, refused).once();

        assertThat(kept).isDirectory();
        assertThat(target.resolve("a.txt")).hasContent("aa");
    }

    @Test
    void aStateFolderThatCannotBeCreatedIsNamedWithTheReason() {
        Path sys = Path.of("/sys");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(sys) && !Files.exists(sys.resolve(LocalMirror.STATE)));
        assertThatThrownBy(() -> share.follower(sys, false, out, refused))
                .hasMessageStartingWith("cannot create the follower's state folder /sys/.caravan-follow: ");
    }

    @Test
    void aSharedIgnoreFileThatIsNotUtf8BreaksNoPass() throws Exception {
        share.listing(1, file("a.txt", 2, T), file(".caravanignore", 7, T));
        share.file(".caravanignore", new byte[] {(byte) 0xFF, (byte) 0xFE, '\n', '*', '.', 'x', '\n'});
        share.follower(target, false, out, refused).once();
        assertThat(target.resolve(".caravanignore")).exists();

        share.listing(2, file("a.txt", 2, T), file(".caravanignore", 7, T), file("b.txt", 2, T));
        share.file("b.txt", "bb");
        assertThat(share.follower(target, false, out, refused).once().ok()).isTrue();
        assertThat(target.resolve("b.txt")).hasContent("bb");
    }

    @Test
    void aTypeConflictNamesThePathInTheFolder() throws Exception {
        share.follower(target, false, out, refused).once();
        // the server now has a folder where the follower has a file, and the follower a folder where it has a file
        Files.createDirectories(target.resolve("d/inner"));
        Files.writeString(target.resolve("d/inner/x"), "x");
        share.listing(2, dir("a.txt"), file("a.txt/in", 2, T), file("d", 2, T));
        share.file("a.txt/in", "in");
        share.file("d", "dd");
        assertThat(share.follower(target, false, out, refused).once().ok()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("/proc/self/fd");
        assertThat(target.resolve("d")).hasContent("dd");
        assertThat(target.resolve("a.txt/in")).hasContent("in");
    }
}
