package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.sync.LocalMirror;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file whose fetch fails (the server answers 500, or sends more than it listed, asked together
 * with others or alone) is never put in
 * place: the follower's old file stays as it was, byte for byte, and nothing of the failed fetch is
 * left in the state folder. The failure is reported and the file is fetched again at its next change.
 */
class FailedFetchKeepsOldFileTest {

    @TempDir
    Path tmp;
    FakeShare share;
    Path target;

    @BeforeEach
    void start() throws Exception {
        share = new FakeShare();
        target = Files.createDirectories(tmp.resolve("mirror"));
        Files.writeString(target.resolve("doc.txt"), "GOOD CONTENT");
        Files.writeString(target.resolve("other.txt"), "GOOD TOO");
    }

    @AfterEach
    void stop() {
        share.close();
    }

    @Test
    void aFileTheServerCannotServeLeavesTheOldOneInPlace() throws Exception {
        share.listing(1, FakeShare.file("doc.txt", 100, 2_000_000_000_000L), FakeShare.file("other.txt", 10, 2_000_000_000_000L));
        share.file("other.txt", "0123456789ABCDEFGHIJ"); // more than the 10 bytes listed
        share.broken.add("doc.txt"); // listed, and answered 500
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> refused = new CopyOnWriteArrayList<>();
        share.follower(target, false, out, refused).once();

        String console = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(share.bundles).as("asked together first").hasPositiveValue();
        assertThat(console).contains("Failed: doc.txt").contains("Failed: other.txt");
        assertThat(target.resolve("doc.txt")).as(console).hasContent("GOOD CONTENT");
        assertThat(target.resolve("other.txt")).as(console).hasContent("GOOD TOO");
        try (Stream<Path> state = Files.walk(target.resolve(LocalMirror.STATE))) {
            assertThat(state.filter(Files::isRegularFile).map(Path::toString))
                    .as("what the failed fetches left").noneMatch(p -> p.contains(".caravan-staging-"));
        }
    }

    @Test
    void aFileShorterThanListedIsNotTakenAsSynced() throws Exception {
        share.listing(1, FakeShare.file("doc.txt", 100, 2_000_000_000_000L), FakeShare.file("big.bin", 3_000_000, 2_000_000_000_000L));
        share.file("doc.txt", "0123456789"); // 10 of the 100 bytes listed, asked together with others
        share.file("big.bin", new byte[1_000_000]); // a third of what was listed, asked alone
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> refused = new CopyOnWriteArrayList<>();
        share.follower(target, false, out, refused).once();

        String console = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(console).contains("Failed: doc.txt").contains("Failed: big.bin");
        assertThat(target.resolve("doc.txt")).as(console).hasContent("GOOD CONTENT");
        assertThat(target.resolve("big.bin")).as(console).doesNotExist();
    }
}
