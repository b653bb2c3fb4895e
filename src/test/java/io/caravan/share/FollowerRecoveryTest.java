package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.sync.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Followers recover by themselves: a cursor the share's log no longer holds (410) turns into a whole
 * compare, and a server restart (with changes made while it was down) is survived by every follower.
 */
class FollowerRecoveryTest {

    private static final Duration CONVERGE = Duration.ofSeconds(3);

    @TempDir
    Path tmp;
    ReceiverFixture server;
    Followers followers = new Followers();

    @AfterEach
    void stop() throws Exception {
        followers.close();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anExpiredCursorTurnsIntoAWholeCompare() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        TestTrees.write(site.resolve("a.txt"), "a");
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.share.settle", "300ms", "caravan.share.keep", "2"));
        Followers.Running one = followers.start(url(), tmp.resolve("f1"));
        converge(site, List.of(one));
        for (int i = 0; i < 6; i++) {
            TestTrees.write(site.resolve("burst-" + i + ".txt"), "one burst, more changes than the log keeps " + i);
        }
        converge(site, List.of(one));
        assertThat(one.output()).contains("The share no longer holds changes after");
    }

    @Test
    void everyFollowerSurvivesAServerRestart() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        TestTrees.write(site.resolve("a.txt"), "a");
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.share.settle", "150ms"));
        // polls that wait 2 s: the server's stop waits for the polls parked in it, and need not wait 25 s for them
        List<Followers.Running> three = List.of(follower("f1"), follower("f2"), follower("f3"));
        converge(site, three);
        server.context().stop();
        TestTrees.write(site.resolve("while-down.txt"), "changed while the server was down");
        Files.move(site.resolve("a.txt"), site.resolve("b.txt"));
        server.restart();
        // the followers retry with backoff (1 s, 2 s, 4 s ...): back within a few of its steps
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            for (Followers.Running one : three) {
                assertThat(Followers.describe(one.target())).isEqualTo(Followers.describe(site));
            }
        });
        TestTrees.write(site.resolve("after.txt"), "after the restart");
        converge(site, three);
    }

    @Test
    void whatChangesInTheFollowersFolderIsPutRight() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        TestTrees.write(site.resolve("a.txt"), "a");
        TestTrees.write(site.resolve("b.txt"), "b");
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString()));
        Followers.Running one = followers.start(url(), tmp.resolve("f1"), SyncMode.INCREMENTAL, Duration.ofSeconds(1));
        converge(site, List.of(one));
        Files.delete(one.target().resolve("a.txt"));
        TestTrees.write(one.target().resolve("b.txt"), "changed here");
        TestTrees.write(one.target().resolve("stray.txt"), "not on the server");
        converge(site, List.of(one));
    }

    @Test
    void aChangeIsAppliedWithoutComparingTheRestOfTheFolder() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        TestTrees.write(site.resolve("a.txt"), "a");
        TestTrees.write(site.resolve("b.txt"), "b");
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.share.settle", "150ms"));
        Followers.Running one = followers.start(url(), tmp.resolve("f1")); // polls wait 25 s: no quiet poll during the test
        converge(site, List.of(one));
        Files.delete(one.target().resolve("b.txt"));
        TestTrees.write(site.resolve("a.txt"), "a, changed on the server");
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(one.target().resolve("a.txt")).hasContent("a, changed on the server"));
        // the pass of that change looked at a.txt alone: b.txt waits for the next whole compare (a quiet poll)
        assertThat(one.target().resolve("b.txt")).doesNotExist();
    }

    private Followers.Running follower(String name) throws java.io.IOException {
        return followers.start(url(), tmp.resolve(name), SyncMode.INCREMENTAL, Duration.ofSeconds(2));
    }

    private String url() {
        return "http://127.0.0.1:" + server.port() + "/shares/site";
    }

    private static void converge(Path site, List<Followers.Running> all) {
        await().atMost(CONVERGE.plus(Duration.ofSeconds(all.size() > 1 ? 2 : 0))).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().untilAsserted(() -> {
                    Map<String, String> expected = Followers.describe(site);
                    for (Followers.Running one : all) {
                        assertThat(Followers.describe(one.target())).as(one.target().toString()).isEqualTo(expected);
                    }
                });
    }
}
