package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publish to {@code a/b/name} creates the folders missing on the way; when it then fails or is refused,
 * the folders it created are removed again (deepest first, each only while it is empty), and a folder
 * that was there before, empty or not, is never removed.
 */
class PublisherCreatedFoldersTest {

    @TempDir
    Path tmp;

    /** A publisher into {@code inbox}, made first. */
    private Publisher publisher() throws IOException {
        return new Publisher(Files.createDirectories(tmp.resolve("inbox")), Versions.none());
    }

    @Test
    void aPublishWhoseEntryCannotBeMovedRemovesTheFoldersItCreated() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox/pre/empty"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));

        Publisher publisher = publisher();
        assertThatThrownBy(() -> publisher.publish(staging, "absent", "pre/empty/new1/new2/leaf", Publisher.Policy.of(OnConflict.FAIL)))
                .isInstanceOf(IOException.class);

        assertThat(inbox).isEmptyDirectory(); // pre/empty stays, what was made below it is gone
        assertThat(tmp.resolve("inbox/pre")).isDirectory();
    }

    @Test
    void aStagedTreeOnAnotherFileSystemIsRefusedAndTheFoldersCreatedForItAreRemoved() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isWritable(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(tmp)),
                "needs a writable /dev/shm on another file system");
        Path staging = Files.createTempDirectory(shm, "caravan-staging");
        try {
            Files.writeString(staging.resolve("leaf"), "content");
            Files.createDirectories(tmp.resolve("inbox/pre"));

            Publisher publisher = publisher();
            assertThatThrownBy(() -> publisher.publish(staging, "leaf", "pre/new1/new2/leaf", Publisher.Policy.of(OnConflict.FAIL)))
                    .isInstanceOf(IOException.class);

            assertThat(tmp.resolve("inbox/pre")).isEmptyDirectory();
            assertThat(staging.resolve("leaf")).hasContent("content");
        } finally {
            try (Stream<Path> left = Files.walk(staging)) {
                for (Path path : left.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    @Test
    void aPublishThatSucceedsKeepsTheFoldersItCreated() throws Exception {
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Files.writeString(staging.resolve("leaf"), "content");

        String published = publisher().publish(staging, "leaf", "new1/new2/leaf", Publisher.Policy.of(OnConflict.FAIL));

        assertThat(published).isEqualTo("new1/new2/leaf");
        assertThat(tmp.resolve("inbox/new1/new2/leaf")).hasContent("content");
    }
}
