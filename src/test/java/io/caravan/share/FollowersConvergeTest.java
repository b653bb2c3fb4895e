package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.sync.SyncMode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three followers of one share on a real server converge, entry by entry, within 3 s of every kind
 * of change; a large file renamed on the server moves on every follower without its content being
 * served again; a follower that was stopped during changes catches up when it starts again.
 */
class FollowersConvergeTest {

    private static final Duration CONVERGE = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path site;
    ReceiverFixture server;
    Followers followers = new Followers();
    String url;

    @BeforeEach
    void start() throws Exception {
        site = Files.createDirectories(tmp.resolve("site"));
        TestTrees.write(site.resolve("index.html"), "<h1>site</h1>");
        Files.createDirectories(site.resolve("img/icons"));
        TestTrees.random(site.resolve("img/logo.png"), 40_000, 1);
        TestTrees.random(site.resolve("big.iso"), 6_000_000, 2);
        server = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.shares.site", site.toString(),
                "caravan.share.settle", "150ms"));
        url = "http://127.0.0.1:" + server.port() + "/shares/site";
    }

    @AfterEach
    void stop() throws Exception {
        followers.close();
        server.close();
    }

    @Test
    void threeFollowersConvergeOnEveryKindOfChange() throws Exception {
        List<Followers.Running> three = List.of(followers.start(url, tmp.resolve("f1")), followers.start(url, tmp.resolve("f2")),
                followers.start(url, tmp.resolve("f3")));
        converge(three);
        assertThat(three.get(0).output()).contains("Found 3 files to check").contains("Results: 3 synced, 0 failed, 0 skipped")
                .contains("Copying big.iso: 5.7MB/5.7MB (100.0%)");

        Files.createDirectories(site.resolve("ünï cödé/sub dir"));
        TestTrees.write(site.resolve("ünï cödé/sub dir/file with space.txt"), "spaces and unicode");
        TestTrees.write(site.resolve("new.txt"), "created");
        converge(three);

        TestTrees.write(site.resolve("index.html"), "<h1>site, modified</h1>");
        converge(three);

        try (OutputStream out = Files.newOutputStream(site.resolve("big.iso"), StandardOpenOption.APPEND)) {
            out.write(new byte[300_000]);
        }
        converge(three);

        Files.delete(site.resolve("new.txt"));
        converge(three);

        Files.move(site.resolve("img/logo.png"), site.resolve("img/logo-2.png"));
        converge(three);

        Files.move(site.resolve("ünï cödé"), site.resolve("moved folder"));
        converge(three);

        Files.delete(site.resolve("moved folder/sub dir/file with space.txt"));
        Files.delete(site.resolve("moved folder/sub dir"));
        Files.delete(site.resolve("moved folder"));
        converge(three);
        for (Followers.Running one : three) {
            assertThat(one.refused()).isEmpty();
            assertThat(one.output()).contains("Renamed: img/logo.png -> img/logo-2.png").contains("Renamed: ünï cödé/sub dir/file with space.txt -> moved folder/sub dir/file with space.txt");
        }
    }

    @Test
    void aRenamedLargeFileMovesWithoutItsContent() throws Exception {
        List<Followers.Running> three = List.of(followers.start(url, tmp.resolve("f1")), followers.start(url, tmp.resolve("f2")),
                followers.start(url, tmp.resolve("f3")));
        converge(three);
        long served = bytesServed();
        Files.move(site.resolve("big.iso"), site.resolve("img/big-renamed.iso"));
        converge(three);
        assertThat(bytesServed() - served).isZero();
        for (Followers.Running one : three) {
            assertThat(one.output()).contains("Renamed: big.iso -> img/big-renamed.iso");
        }
    }

    @Test
    void aNewFileThatLooksLikeAGoneOneIsFetchedNotMoved() throws Exception {
        java.nio.file.attribute.FileTime when = java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L);
        TestTrees.write(site.resolve("old.txt"), "AAAA");
        Files.setLastModifiedTime(site.resolve("old.txt"), when);
        List<Followers.Running> two = List.of(followers.start(url, tmp.resolve("f1")), followers.start(url, tmp.resolve("f2")));
        converge(two);
        TestTrees.write(site.resolve("new.txt"), "BBBB"); // same size, mtime and mode: other content, other inode
        Files.setLastModifiedTime(site.resolve("new.txt"), when);
        Files.delete(site.resolve("old.txt"));
        converge(two);
        assertThat(tmp.resolve("f1/new.txt")).hasContent("BBBB");
    }

    @Test
    void aFullModeFollowerFetchesEverythingOnceThenOnlyWhatChanges() throws Exception {
        Followers.Running full = followers.start(url, tmp.resolve("full"), SyncMode.FULL);
        converge(List.of(full));
        assertThat(full.output()).contains("Found 3 files to sync");
        long served = bytesServed();
        TestTrees.write(site.resolve("index.html"), "<h1>changed</h1>");
        converge(List.of(full));
        assertThat(bytesServed() - served).isEqualTo(Files.size(site.resolve("index.html")));
    }

    @Test
    void aFollowerThatWasOfflineCatchesUp() throws Exception {
        Followers.Running first = followers.start(url, tmp.resolve("f1"));
        converge(List.of(first));
        followers.stop(first);
        TestTrees.write(site.resolve("while-away.txt"), "written while the follower was away");
        Files.move(site.resolve("index.html"), site.resolve("home.html"));
        Files.delete(site.resolve("img/logo.png"));
        await().atMost(CONVERGE).until(() -> server.get("/shares").body().contains("\"latest\":3"));
        Followers.Running again = followers.start(url, tmp.resolve("f1"));
        converge(List.of(again));
        assertThat(again.output()).contains("Results:");
    }

    private long bytesServed() throws Exception {
        return JSON.readTree(server.get("/shares").body()).path("bytes_served").asLong();
    }

    private void converge(List<Followers.Running> all) {
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50)).ignoreExceptions().untilAsserted(() -> {
            Map<String, String> expected = Followers.describe(site);
            for (Followers.Running one : all) {
                assertThat(Followers.describe(one.target())).as(one.target().toString()).isEqualTo(expected);
            }
        });
    }
}
