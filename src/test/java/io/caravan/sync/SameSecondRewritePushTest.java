package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file rewritten with the same size within the same second as the copy on the mirror is sent by the
 * next {@code sync --to} pass: the mirror keeps the source's mtime to the millisecond, and the diff
 * compares milliseconds where both sides keep them. A mirror written with whole seconds (by a file
 * system that keeps no finer time) is compared at whole seconds, so it is not sent again at every pass.
 */
class SameSecondRewritePushTest {

    private static final Instant SECOND = Instant.parse("2026-12-05T05:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void aSameSizeRewriteWithinTheSecondIsSent() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("tree")).resolve("F");
        Files.writeString(file, "aaaa");
        Files.setLastModifiedTime(file, FileTime.from(SECOND.plusMillis(100)));
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            once(receiver);
            Path mirrored = receiver.inbox().resolve("m/F");
            assertThat(mirrored).hasContent("aaaa");
            assertThat(Files.getLastModifiedTime(mirrored).toInstant()).as("the mirror keeps the millisecond")
                    .isEqualTo(SECOND.plusMillis(100));

            Files.writeString(file, "bbbb");
            Files.setLastModifiedTime(file, FileTime.from(SECOND.plusMillis(900)));
            String second = once(receiver);

            assertThat(mirrored).as(second).hasContent("bbbb");
            assertThat(Files.getLastModifiedTime(mirrored).toInstant()).isEqualTo(SECOND.plusMillis(900));
            assertThat(once(receiver)).as("nothing left to send").contains("0 synced");
        }
    }

    /** A large incompressible file travels alone, uncompressed: it keeps its millisecond too. */
    @Test
    void aLargeIncompressibleFileRewrittenWithinTheSecondIsSent() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("tree")).resolve("big.bin");
        io.caravan.TestTrees.random(file, 20 << 20, 1);
        Files.setLastModifiedTime(file, FileTime.from(SECOND.plusMillis(100)));
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            once(receiver);
            Path mirrored = receiver.inbox().resolve("m/big.bin");
            assertThat(Files.getLastModifiedTime(mirrored).toInstant()).isEqualTo(SECOND.plusMillis(100));

            io.caravan.TestTrees.random(file, 20 << 20, 2);
            Files.setLastModifiedTime(file, FileTime.from(SECOND.plusMillis(700)));
            String second = once(receiver);

            assertThat(mirrored).as(second).hasSameBinaryContentAs(file);
        }
    }

    private String once(ReceiverFixture receiver) {
        return PushPass.once(tmp, receiver, "m");
    }
}
