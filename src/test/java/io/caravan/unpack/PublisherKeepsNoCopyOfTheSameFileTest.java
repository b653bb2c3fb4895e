package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file that a publish would replace with the very same file (the same bytes, size, mode and mtime: a
 * folder sent again, or a merge redone after a crash) is left in place and no version of it is kept:
 * nothing is replaced, so there is nothing to keep. A file whose bytes differ under the same size and
 * mtime, or whose mtime differs, is replaced and its old self kept as a version, as before.
 */
class PublisherKeepsNoCopyOfTheSameFileTest {

    private static final FileTime T = FileTime.from(Instant.parse("2026-12-05T05:00:00Z"));

    @TempDir
    Path tmp;

    @Test
    void aMergeOfTheSameFilesKeepsNoVersionsAndOneOfOtherBytesIsKept() throws Exception {
        Path inbox = tmp.resolve("inbox");
        write(inbox.resolve("tree/same.txt"), "same", T);
        write(inbox.resolve("tree/sub/deep same.bin"), "deep", T);
        write(inbox.resolve("tree/other bytes.txt"), "old!", T);
        write(inbox.resolve("tree/touched.txt"), "xyz", T);
        Path staging = tmp.resolve("staging");
        write(staging.resolve("tree/same.txt"), "same", T);
        write(staging.resolve("tree/sub/deep same.bin"), "deep", T);
        write(staging.resolve("tree/other bytes.txt"), "new!", T);
        write(staging.resolve("tree/touched.txt"), "xyz", FileTime.from(T.toInstant().plusSeconds(5)));
        Publisher publisher = new Publisher(inbox, Versions.inDestination(inbox, Duration.ofDays(1), Clock.systemUTC()));

        publisher.publish(staging, "tree", "tree", Publisher.Policy.of(OnConflict.MERGE));

        assertThat(inbox.resolve("tree/same.txt")).hasContent("same");
        assertThat(inbox.resolve("tree/sub/deep same.bin")).hasContent("deep");
        assertThat(inbox.resolve("tree/other bytes.txt")).hasContent("new!");
        assertThat(Files.getLastModifiedTime(inbox.resolve("tree/touched.txt"))).isEqualTo(FileTime.from(T.toInstant().plusSeconds(5)));
        assertThat(versionNames(inbox)).containsExactlyInAnyOrder("other bytes.txt", "touched.txt");
        assertThat(staging.resolve("tree")).doesNotExist();
    }

    @Test
    void theSameSingleFileReplacedKeepsNoVersion() throws Exception {
        Path inbox = tmp.resolve("inbox");
        write(inbox.resolve("report.csv"), "a,b\n", T);
        Path staging = tmp.resolve("staging");
        write(staging.resolve("report.csv"), "a,b\n", T);
        Publisher publisher = new Publisher(inbox, Versions.inDestination(inbox, Duration.ofDays(1), Clock.systemUTC()));

        publisher.publish(staging, "report.csv", "report.csv", Publisher.Policy.of(OnConflict.REPLACE));

        assertThat(inbox.resolve("report.csv")).hasContent("a,b\n");
        assertThat(versionNames(inbox)).isEmpty();
        assertThat(staging.resolve("report.csv")).doesNotExist();
    }

    private static void write(Path file, String content, FileTime mtime) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, mtime);
    }

    /** The file names kept as versions. */
    private static List<String> versionNames(Path inbox) throws IOException {
        Path versions = inbox.resolve(Versions.IN_DESTINATION);
        if (!Files.isDirectory(versions)) {
            return List.of();
        }
        try (Stream<Path> kept = Files.walk(versions)) {
            return kept.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
        }
    }
}
