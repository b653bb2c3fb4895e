package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A server's answer of changes is read change by change, never held whole: one of more changes than a
 * server sends at once ({@link ShareLog#MAX_EVENTS_PER_ANSWER}) is refused saying so, a malformed
 * change is refused with its text escaped and shortened, and running out of memory while reading is
 * said to be that, with what to do.
 */
class HostileChangesTest {

    @Test
    void anAnswerOfMillionsOfEmptyChangesIsRefusedAtTheCap() throws Exception {
        try (FakeShare share = new FakeShare()) {
            String empties = "{},".repeat((16 << 20) / 3 - 100) + "{}"; // just under the 16 MiB an answer may have
            share.changes(1, 5, empties);
            List<String> refused = new CopyOnWriteArrayList<>();
            ShareClient client = new ShareClient(share.url(), null, "t", null, refused::add);

            assertThatThrownBy(() -> client.events(0, Duration.ofSeconds(1))).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("more than " + ShareLog.MAX_EVENTS_PER_ANSWER + " events");
            assertThat(refused.size()).isLessThanOrEqualTo(ShareClient.MALFORMED_SAID);
        }
    }

    @Test
    void aMalformedChangeIsRefusedEscapedAndShortened() throws Exception {
        try (FakeShare share = new FakeShare()) {
            share.changes(1, 3, "{\"seq\":1,\"type\":\"BOGUS\",\"path\":\"a\\u0000\\u001b[31mb" + "x".repeat(5000) + "\"}",
                    "{\"seq\":3,\"type\":\"DELETE\",\"path\":\"gone\"}");
            List<String> refused = new CopyOnWriteArrayList<>();
            ShareClient client = new ShareClient(share.url(), null, "t", null, refused::add);

            ShareClient.Events events = client.events(0, Duration.ofSeconds(1));

            assertThat(events.latest()).isEqualTo(3);
            assertThat(events.events()).extracting(ShareEvent::path).containsExactly("gone");
            assertThat(refused).singleElement().satisfies(why -> {
                assertThat(why).contains("malformed").doesNotContain("\u0000").doesNotContain("\u001b");
                assertThat(why.length()).isLessThan(400);
            });
        }
    }

    @Test
    void manyMalformedChangesAreSaidAsACountBeyondTheFirst() throws Exception {
        try (FakeShare share = new FakeShare()) {
            share.changes(1, 3, "{},".repeat(500) + "{\"seq\":3,\"type\":\"DELETE\",\"path\":\"gone\"}");
            List<String> refused = new CopyOnWriteArrayList<>();
            ShareClient client = new ShareClient(share.url(), null, "t", null, refused::add);

            ShareClient.Events events = client.events(0, Duration.ofSeconds(1));

            assertThat(events.events()).extracting(ShareEvent::path).containsExactly("gone");
            assertThat(refused).hasSize(ShareClient.MALFORMED_SAID + 1)
                    .last().asString().contains((500 - ShareClient.MALFORMED_SAID) + " more malformed changes");
        }
    }

    @Test
    void runningOutOfMemoryWhileReadingChangesIsReportedAsSuch() throws Exception {
        try (FakeShare share = new FakeShare()) {
            share.changes(1, 2, "{\"seq\":1}", "{\"seq\":2,\"type\":\"DELETE\",\"path\":\"gone\"}");
            ShareClient client = new ShareClient(share.url(), null, "t", null, r -> {
                throw new OutOfMemoryError("no heap left (thrown by the test)");
            });

            assertThatThrownBy(() -> client.events(0, Duration.ofSeconds(1)))
                    .isInstanceOf(ShareClient.ShareRefusedException.class)
                    .hasMessageContaining("out of memory").hasMessageContaining("-Xmx");
        }
    }
}
