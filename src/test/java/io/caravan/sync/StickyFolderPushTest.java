package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sticky folder (a {@code /tmp}-like {@code 1777}) pushed with {@code sync --to} arrives with its
 * permissions, and the pass after it finds nothing to send: the scan lists the sticky bit (for the
 * followers of a share), but a receiver's mirror does not keep it, so push sync compares without it.
 */
class StickyFolderPushTest {

    @TempDir
    Path tmp;

    @Test
    void aStickyFolderIsNotSentAgainAtEveryPass() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("tree/pub"));
        Files.writeString(source.resolve("f.txt"), "f");
        Files.setAttribute(source, "unix:mode", 01777);
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            String first = once(receiver);
            assertThat(receiver.inbox().resolve("st/pub/f.txt")).as(first).hasContent("f");
            long parcels = parcels(receiver);

            String second = once(receiver);

            assertThat(parcels(receiver)).as("a parcel sent again: " + second).isEqualTo(parcels);
        }
    }

    /** The parcels the receiver has taken, as its audit trail counts them. */
    private static long parcels(ReceiverFixture receiver) throws java.io.IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(receiver.inbox().resolve(".caravan/audit.jsonl"))) {
            return lines.filter(line -> line.contains("\"event\":\"session_start\"")).count();
        }
    }

    private String once(ReceiverFixture receiver) {
        return PushPass.once(tmp, receiver, "st");
    }
}
