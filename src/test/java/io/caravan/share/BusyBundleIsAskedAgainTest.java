package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose bundle writers are all taken answers a bundle request 503 {@code busy}: the follower
 * asks for the bundle again after the server's {@code Retry-After} instead of falling back to one
 * request per file (which, with many followers, would turn a short wait into thousands of requests).
 */
class BusyBundleIsAskedAgainTest {

    @TempDir
    Path tmp;
    FakeShare share;

    @BeforeEach
    void start() throws Exception {
        share = new FakeShare();
    }

    @AfterEach
    void stop() {
        share.close();
    }

    @Test
    void aBusyAnswerIsWaitedOutNotSpreadOverSingleRequests() throws Exception {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            entries.add(FakeShare.file("f" + i + ".txt", 6 + String.valueOf(i).length(), 2_000_000_000_000L));
            share.file("f" + i + ".txt", "small " + i);
        }
        share.listing(1, entries.toArray(String[]::new));
        share.busyBundles.set(2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> refused = new CopyOnWriteArrayList<>();
        Path target = tmp.resolve("mirror");
        share.follower(target, false, out, refused).once();

        String console = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(target.resolve("f0.txt")).as(console).hasContent("small 0");
        assertThat(target.resolve("f39.txt")).as(console).hasContent("small 39");
        assertThat(share.served).as("files fetched one by one").hasValue(0);
        assertThat(share.bundles).as("bundle requests, busy ones included").hasValueBetween(3, 6);
        assertThat(refused).isEmpty();
    }

    @Test
    void aLinkIsMadeWithoutAskingTheServer() throws Exception {
        share.listing(1, FakeShare.file("f.txt", 5, 2_000_000_000_000L),
                "{\"path\":\"l\",\"type\":\"link\",\"size\":5,\"mtime\":2000000000000,\"mode\":511,\"target\":\"f.txt\"}");
        share.file("f.txt", "hello");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> refused = new CopyOnWriteArrayList<>();
        Path target = tmp.resolve("mirror");
        share.follower(target, false, out, refused).once();

        String console = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Files.readSymbolicLink(target.resolve("l"))).as(console).hasToString("f.txt");
        assertThat(share.bundles).as("bundle requests: the file's only").hasValue(1);
        assertThat(share.served).as("files fetched one by one").hasValue(0);
    }
}
