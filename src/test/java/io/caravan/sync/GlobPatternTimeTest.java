package io.caravan.sync;

import static io.caravan.sync.PathFilter.Rule.exclude;
import static io.caravan.sync.PathFilter.Rule.include;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * {@link GlobPattern} and {@link PathFilter} take time bounded by the pattern's length times the
 * path's, whatever the pattern: one written to make a backtracking matcher explode (many {@code **}
 * runs that can each take any part of a long name) is decided at once, as are the folders above a
 * deep path.
 */
class GlobPatternTimeTest {

    private static final String HOSTILE = "**a**a**a**a**a**a**a**a**a**a**a**a**b";

    private static String longPath(int names) {
        String name = "a".repeat(200);
        return String.join("/", java.util.Collections.nCopies(names, name));
    }

    @Test
    void aPatternOfManyDoubleStarsIsDecidedAtOnce() {
        GlobPattern pattern = GlobPattern.compile(HOSTILE);
        String path = longPath(4);

        boolean matched = decidedAtOnce(() -> pattern.matches(path, false));

        assertThat(matched).isFalse();
        assertThat(pattern.matches(path + "b", false)).isTrue();
    }

    @Test
    void aFilterOfSuchPatternsDecidesADeepPathAtOnce() {
        PathFilter filter = PathFilter.of(List.of(exclude(HOSTILE), exclude("/" + HOSTILE), exclude(HOSTILE + "/***"),
                include("**a?a*a[a]a**a**a**a**a**a**a**a**c")));
        String path = longPath(15);

        boolean excluded = decidedAtOnce(() -> filter.excludes(path, false));

        assertThat(excluded).isFalse();
        assertThat(filter.excludes(longPath(3) + "b/" + longPath(2), false)).as("below a matching folder").isTrue();
    }

    @Test
    void aStarWithinANameIsDecidedAtOnce() {
        GlobPattern pattern = GlobPattern.compile("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
        String path = "a".repeat(250);

        boolean matched = decidedAtOnce(() -> pattern.matches(path, false));

        assertThat(matched).isFalse();
    }

    /**
     * The answer, asserting that the quickest of three runs took under 100 ms (the quickest, as the
     * machine may be busy with other work); a run that has not ended within 5 s fails at once.
     */
    private static boolean decidedAtOnce(ThrowingSupplier<Boolean> decide) {
        return assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            long quickest = Long.MAX_VALUE;
            boolean answer = false;
            for (int run = 0; run < 3; run++) {
                long start = System.nanoTime();
                answer = decide.get();
                quickest = Math.min(quickest, System.nanoTime() - start);
            }
            assertThat(Duration.ofNanos(quickest)).isLessThan(Duration.ofMillis(100));
            return answer;
        });
    }
}
