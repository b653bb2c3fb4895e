package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.util.FileIdentity;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file sent as its own bytes is not hashed whole by the sender: the receiver's SHA-256 of it is
 * remembered instead. That hash is only as good as the receiver that gave it, so it is used for
 * references to that receiver alone: a receiver that lies about it could otherwise make the sender
 * reference another receiver's different content under this file's name.
 */
class DedupPlanTest {

    private static final String A = "http://127.0.0.1:1001";
    private static final String B = "http://127.0.0.1:1002";
    private static final String CLAIMED = "ee".repeat(32);

    @TempDir
    Path tmp;

    private Path file;
    private FileIdentity identity;
    /** A moment the file is settled at: its hash may be kept. */
    private long seen;

    private HashCache cacheBesideAFile(int seed) throws Exception {
        file = tmp.resolve("big.bin");
        TestTrees.random(file, 100_000, seed);
        identity = FileIdentity.ofRegularFile(file).orElseThrow();
        seen = System.currentTimeMillis() + FileIdentity.SLACK_MILLIS + 1000;
        return HashCache.in(tmp.resolve("state"));
    }

    @Test
    void aHashOneReceiverGaveIsNeverUsedForReferencesToAnother() throws Exception {
        HashCache cache = cacheBesideAFile(5);

        DedupPlan toA = DedupPlan.of(cache, 0, List.of(), A);
        toA.hashedByReceiver(file, identity, seen);
        toA.receiverHashed(CLAIMED);

        assertThat(DedupPlan.of(cache, 0, List.of(CLAIMED), B).reference(file, identity))
                .as("B holds content with the hash A claimed for this file").isEmpty();
        assertThat(DedupPlan.of(cache, 0, List.of(CLAIMED), A).reference(file, identity)).contains(CLAIMED);

        HashCache reopened = HashCache.in(tmp.resolve("state"));
        assertThat(DedupPlan.of(reopened, 0, List.of(CLAIMED), B).reference(file, identity)).isEmpty();
        assertThat(DedupPlan.of(reopened, 0, List.of(CLAIMED), A).reference(file, identity)).contains(CLAIMED);
        assertThat(reopened.get(file, identity)).as("not a hash taken here").isEmpty();
    }

    @Test
    void aHashTakenHereServesEveryReceiverAndIsNotReplacedByAReceiversClaim() throws Exception {
        HashCache cache = cacheBesideAFile(6);
        String own = "0a".repeat(32);
        DedupPlan.of(cache, 0, List.of(), A).hashed(file, identity, seen, own);

        DedupPlan toB = DedupPlan.of(cache, 0, List.of(), B);
        toB.hashedByReceiver(file, identity, seen);
        toB.receiverHashed(CLAIMED);

        assertThat(DedupPlan.of(cache, 0, List.of(own, CLAIMED), A).reference(file, identity)).contains(own);
        assertThat(DedupPlan.of(cache, 0, List.of(own, CLAIMED), B).reference(file, identity)).contains(own);
    }
}
