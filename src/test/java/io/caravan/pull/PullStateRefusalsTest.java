package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.ConfinedDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refusal recorded in the pull state is found again by the next load, from the journal (as after a crash
 * before the pass ended) and from the state file; a later fetch of the same parcel ends it; its reason is kept
 * cut to {@link PullState#MAX_REASON} characters, and at most {@link PullState#MAX_REFUSED} refusals are kept.
 */
class PullStateRefusalsTest {

    @TempDir
    Path tmp;

    @Test
    void aRefusalIsFoundByTheNextLoadUntilTheParcelIsFetched() throws Exception {
        try (ConfinedDir dir = ConfinedDir.open(tmp)) {
            PullState state = PullState.load(dir);
            state.fetched("http://remote", "feeds/a", "\"1\"");
            state.refused("http://remote", "feeds/a", new Refusal("\"2\"", "x".repeat(5000), "max-expansion 1000"));
            state.refused("http://remote", "feeds/b", new Refusal("\"7\"", "a link outside", null));

            PullState journal = PullState.load(dir);
            assertThat(journal.etag("feeds/a")).as("the state published before stays").isEqualTo("\"1\"");
            assertThat(journal.refusal("feeds/a").holds("\"2\"", "max-expansion 1000")).isTrue();
            assertThat(journal.refusal("feeds/a").holds("\"2\"", "max-expansion 0")).isFalse();
            assertThat(journal.refusal("feeds/a").holds("\"3\"", "max-expansion 1000")).isFalse();
            assertThat(journal.refusal("feeds/a").reason()).hasSize(PullState.MAX_REASON + 3);
            assertThat(journal.refusal("feeds/b").holds("\"7\"", "anything")).isTrue();

            journal.passFinished("http://remote", Instant.EPOCH, 0, 0, 2);
            assertThat(tmp.resolve(PullState.JOURNAL)).doesNotExist();
            PullState written = PullState.load(dir);
            assertThat(written.refusal("feeds/b")).isEqualTo(new Refusal("\"7\"", "a link outside", null));

            written.fetched("http://remote", "feeds/b", "\"8\"");
            assertThat(written.refusal("feeds/b")).isNull();
            assertThat(PullState.load(dir).refusal("feeds/b")).isNull();
            assertThat(Files.readString(tmp.resolve(PullState.FILE))).contains("\"refused\"");
        }
    }

    @Test
    void theRefusalsMadeLongestAgoAreForgottenPastTheBound() throws Exception {
        try (ConfinedDir dir = ConfinedDir.open(tmp)) {
            PullState state = PullState.load(dir);
            for (int i = 0; i <= PullState.MAX_REFUSED; i++) {
                state.refused("http://remote", "feeds/p" + i, new Refusal("\"1\"", "refused", null));
            }
            assertThat(state.refusals()).isEqualTo(PullState.MAX_REFUSED);
            assertThat(state.refusal("feeds/p0")).isNull();
            assertThat(PullState.load(dir).refusals()).isEqualTo(PullState.MAX_REFUSED);
        }
    }
}
