package io.caravan.share;

import static io.caravan.share.FakeShare.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A change the follower cannot apply as sent is refused ("Refused: ...") and the follower keeps following. */
class FollowerEventsTest {

    private static final long T = 1_700_000_000_000L;

    @TempDir
    Path tmp;
    FakeShare share;

    @AfterEach
    void stop() {
        share.close();
    }

    @Test
    void malformedChangesAreRefusedAndTheRestApplied() throws Exception {
        share = new FakeShare();
        Path target = Files.createDirectories(tmp.resolve("fol"));
        share.listing(1, file("ok.txt", 2, T), "{\"path\":\"lnk\",\"type\":\"link\",\"target\":\"elsewhere\"}");
        share.file("ok.txt", "ok");
        share.file("new.txt", "nw");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> refused = new CopyOnWriteArrayList<>();
        ShareFollower follower = share.follower(target, false, out, refused);
        follower.once();
        share.changes(2, 6,
                "{\"seq\":2,\"type\":\"CREATE\",\"path\":\"c1\"}",
                "{\"seq\":3,\"type\":\"RENAME\",\"path\":\"r1\",\"entry\":" + file("r1", 2, T) + "}",
                "{\"seq\":4,\"type\":\"RENAME\",\"path\":\"lnk/x\",\"from\":\"ok.txt\",\"entry\":" + file("lnk/x", 2, T) + "}",
                "{\"seq\":5,\"type\":\"CREATE\",\"path\":\"l\",\"entry\":{\"path\":\"l\",\"type\":\"link\"}}",
                "{\"seq\":6,\"type\":\"CREATE\",\"path\":\"new.txt\",\"entry\":" + file("new.txt", 2, T) + "}");
        Thread thread = FakeShare.running(follower, out);
        try {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(target.resolve("new.txt")).hasContent("nw"));
            Thread.sleep(300);
            assertThat(thread.isAlive()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
            assertThat(follower.cursor()).isEqualTo(6);
        } finally {
            follower.close();
            thread.join(5000);
        }
        assertThat(refused).anyMatch(r -> r.contains("c1")).anyMatch(r -> r.contains("r1")).anyMatch(r -> r.contains("lnk/x"))
                .anyMatch(r -> r.contains("'l'"));
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("Failed").doesNotContain("run ended")
                .doesNotContain("null");
        assertThat(target.resolve("ok.txt")).hasContent("ok");
        assertThat(target.resolve("lnk")).isSymbolicLink();
    }
}
