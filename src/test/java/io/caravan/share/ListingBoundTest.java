package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A follower takes a listing only as large as its heap holds: a larger one is refused with a message
 * that says what to do, and the default bound follows the heap ({@link ShareClient#defaultMaxListingEntries}).
 */
class ListingBoundTest {

    @Test
    void aListingLargerThanTheBoundIsRefusedSayingWhatToDo() throws Exception {
        try (FakeShare share = new FakeShare()) {
            List<String> entries = new ArrayList<>();
            for (int i = 0; i < 11; i++) {
                entries.add("{\"path\":\"f" + i + "\",\"type\":\"file\",\"size\":1,\"mtime\":1000,\"mode\":420}");
            }
            share.listing(7, entries.toArray(String[]::new));

            ShareClient client = new ShareClient(share.url(), null, "t", null, r -> { }, 10);

            assertThatThrownBy(() -> client.listing(false)).isInstanceOf(ShareClient.ShareRefusedException.class)
                    .hasMessageContaining("more than 10 entries").hasMessageContaining("-Xmx");
            share.listing(7, entries.subList(0, 10).toArray(String[]::new));
            assertThat(client.listing(false).entries()).hasSize(10);
        }
    }

    @Test
    void runningOutOfMemoryWhileReadingAListingIsReportedAsSuch() throws Exception {
        try (FakeShare share = new FakeShare()) {
            share.listing(7, "{\"path\":\"f\",\"type\":\"file\",\"size\":1,\"mtime\":1000,\"mode\":420}", "{\"type\":42}");
            ShareClient client = new ShareClient(share.url(), null, "t", null, r -> {
                throw new OutOfMemoryError("no heap left (thrown by the test)");
            }, 10);

            assertThatThrownBy(() -> client.listing(false)).isInstanceOf(ShareClient.ShareRefusedException.class)
                    .hasMessageContaining("out of memory").hasMessageContaining("-Xmx");
        }
    }

    @Test
    void theDefaultBoundFollowsTheHeap() {
        long heap = Runtime.getRuntime().maxMemory();
        assertThat(ShareClient.defaultMaxListingEntries())
                .isEqualTo((int) Math.min(ShareClient.MAX_LISTING_ENTRIES, heap / ShareClient.BYTES_PER_LISTED_ENTRY));
        assertThat((long) ShareClient.defaultMaxListingEntries() * ShareClient.BYTES_PER_LISTED_ENTRY).isLessThanOrEqualTo(heap);
    }
}
