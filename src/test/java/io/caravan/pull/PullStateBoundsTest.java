package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.fs.ConfinedDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull state stays within its bounds whatever is recorded: the parcels fetched longest ago are
 * forgotten past the most parcels (or bytes) it keeps, a name or etag a catalog may not list is refused,
 * and a parcel recorded is appended to the journal (the state file is not rewritten for it) and found
 * again by the next load, with or without the end of the pass.
 */
class PullStateBoundsTest {

    @TempDir
    Path tmp;

    @Test
    void theParcelsFetchedLongestAgoAreForgottenPastTheBound() throws Exception {
        try (ConfinedDir dir = ConfinedDir.open(tmp)) {
            PullState state = PullState.load(dir, 3, 1 << 20);
            for (int i = 0; i < 5; i++) {
                state.fetched("http://remote", "feeds/p" + i, "etag" + i);
            }
            state.fetched("http://remote", "feeds/p2", "etag2b"); // fetched again: now the newest
            state.passFinished("http://remote", Instant.EPOCH, 6, 0);

            PullState again = PullState.load(dir, 3, 1 << 20);
            assertThat(again.size()).isEqualTo(3);
            assertThat(again.etag("feeds/p0")).isNull();
            assertThat(again.etag("feeds/p1")).isNull();
            assertThat(again.etag("feeds/p3")).isEqualTo("etag3");
            assertThat(again.etag("feeds/p2")).isEqualTo("etag2b");
        }
    }

    @Test
    void theBytesHeldAreBoundedToo() throws Exception {
        try (ConfinedDir dir = ConfinedDir.open(tmp)) {
            PullState state = PullState.load(dir, 1000, 2000);
            for (int i = 0; i < 100; i++) {
                state.fetched("http://remote", "feeds/" + "n".repeat(200) + i, "e".repeat(200));
            }
            state.passFinished("http://remote", Instant.EPOCH, 100, 0);
            assertThat(state.size()).isLessThanOrEqualTo(5);
            assertThat(Files.size(tmp.resolve(PullState.FILE))).isLessThan(4000);
        }
    }

    @Test
    void aNameOrEtagACatalogMayNotListIsNotRecorded() throws Exception {
        try (ConfinedDir dir = ConfinedDir.open(tmp)) {
            PullState state = PullState.load(dir);
            assertThatThrownBy(() -> state.fetched("http://remote", "feeds/x", "e".repeat(257)))
                    .hasMessageContaining("256");
            assertThatThrownBy(() -> state.fetched("http://remote", "feeds/x", "a b")).hasMessageContaining("etag");
            assertThatThrownBy(() -> state.fetched("http://remote", "../x", "1")).isInstanceOf(IllegalArgumentException.class);
            assertThat(state.size()).isZero();
        }
    }

    @Test
    void aRecordIsAppendedToTheJournalAndFoundByTheNextLoad() throws Exception {
        try (ConfinedDir dir = ConfinedDir.open(tmp)) {
            PullState state = PullState.load(dir);
            state.passFinished("http://remote", Instant.EPOCH, 0, 0);
            long stateSize = Files.size(tmp.resolve(PullState.FILE));
            state.fetched("http://remote", "feeds/a", "\"1\"");
            state.fetched("http://remote", "feeds/b", "\"2\"");

            assertThat(Files.size(tmp.resolve(PullState.FILE))).isEqualTo(stateSize);
            assertThat(Files.readAllLines(tmp.resolve(PullState.JOURNAL))).hasSize(2);
            PullState after = PullState.load(dir); // as after a crash before the pass ended
            assertThat(after.etag("feeds/a")).isEqualTo("\"1\"");
            assertThat(after.etag("feeds/b")).isEqualTo("\"2\"");

            after.passFinished("http://remote", Instant.EPOCH, 2, 0);
            assertThat(tmp.resolve(PullState.JOURNAL)).doesNotExist();
            assertThat(Files.readString(tmp.resolve(PullState.FILE))).contains("feeds/a", "feeds/b");
        }
    }
}
