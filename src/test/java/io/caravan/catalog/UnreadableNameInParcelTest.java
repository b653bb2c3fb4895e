package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A published folder into which another program put entries whose names are not UTF-8 (they cannot
 * be named in a manifest, nor read by the name Java gives them) is still served: its manifest leaves
 * them out (the receiver's log names the parcel and how many), and {@code caravan get} brings the rest.
 */
class UnreadableNameInParcelTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = CatalogFixture.receiverAt(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;

    @BeforeAll
    static void publish(ReceiverFixture started) throws Exception {
        receiver = started;
        Path odd = Files.createDirectories(tmp.resolve("src/odd/sub"));
        TestTrees.write(odd.resolve("../a.txt"), "first");
        TestTrees.write(odd.resolve("b.txt"), "second");
        CatalogFixture.send(receiver, odd.getParent(), "odd", "zstd", tmp.resolve("state"), null);
        // a file and a folder whose names are not UTF-8, put into the published folder by another program
        Process sh = new ProcessBuilder("sh", "-c", "echo x > \"$(printf 'z bad\\377name')\" && mkdir \"$(printf 'sub/d\\377ir')\""
                + " && echo y > \"$(printf 'sub/d\\377ir/c.txt')\"").directory(receiver.inbox().resolve("odd").toFile())
                .redirectErrorStream(true).start();
        String output = new String(sh.getInputStream().readAllBytes());
        assertThat(sh.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sh.exitValue()).as(output).isZero();
    }

    @Test
    void theManifestLeavesThemOutAndNamesNoInternalPath() throws Exception {
        HttpResponse<String> manifest = receiver.get("/parcels/manifest?name=odd");

        assertThat(manifest.statusCode()).as(manifest.body()).isEqualTo(200);
        assertThat(manifest.body()).doesNotContain(tmp.toString()).doesNotContain("/proc/self/fd");
    }

    /** {@code get -v} names each file it fetches, as {@code pack -v} and {@code unpack -v} do. */
    @Test
    void verboseGetNamesEachFile() throws Exception {
        CliRunner.Printed get = CliRunner.printed("get", "odd", tmp.resolve("verbose").toString(), "--to",
                "http://127.0.0.1:" + receiver.port(), "-v");
        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(get.out()).contains("odd/a.txt (5 B)", "odd/sub/b.txt (6 B)");
    }

    @Test
    void getBringsTheRestOfTheParcel() throws Exception {
        Path local = tmp.resolve("local");
        CliRunner.Result get = CliRunner.run("get", "odd", local.toString(), "--to", "http://127.0.0.1:" + receiver.port(), "-q");

        assertThat(get.exitCode()).as(get.err()).isZero();
        try (Stream<Path> all = Files.walk(local.resolve("odd"))) {
            assertThat(all.map(p -> local.relativize(p).toString())).containsExactlyInAnyOrder(
                    "odd", "odd/a.txt", "odd/sub", "odd/sub/b.txt");
        }
        assertThat(local.resolve("odd/a.txt")).hasContent("first");
        assertThat(List.of(local.resolve("odd/sub/b.txt"))).allSatisfy(p -> assertThat(p).hasContent("second"));
    }
}
