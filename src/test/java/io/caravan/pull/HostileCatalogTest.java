package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import io.caravan.download.CatalogClient;
import io.caravan.download.CatalogProxy;
import io.caravan.fs.Versions;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog that lists entries no real receiver lists (etags of megabytes or with control characters,
 * names the name rules refuse) gets those entries refused with a warning, never fetched nor kept in the
 * pull state, which stays small (the first ten of a listing named in the log, the rest counted); the
 * entries beside them are pulled. A parcel published but not recorded
 * (its record could not be written) is not fetched and published again by the next pass.
 */
class HostileCatalogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("remote"));

    @Test
    void entriesWithHugeOrUnsafeEtagsOrNamesAreRefusedAndTheStateStaysSmall(ReceiverFixture remote) throws Exception {
        send(remote, "feeds/ok.txt", "fine\n");
        send(remote, "feeds/bloat.txt", "bloat\n");
        send(remote, "feeds/ctl.txt", "control\n");
        try (CatalogProxy proxy = new CatalogProxy(remote.port()); LoggedWarnings warnings = new LoggedWarnings()) {
            proxy.rewriteListings(page -> edit(page, parcels -> {
                for (var entry : parcels) {
                    ObjectNode parcel = (ObjectNode) entry;
                    switch (parcel.path("name").asText()) {
                        case "feeds/bloat.txt" -> parcel.put("etag", "e".repeat(3_000_000));
                        case "feeds/ctl.txt" -> parcel.put("etag", "abc\u0001def");
                        default -> { }
                    }
                }
                parcels.addObject().put("name", "feeds/" + "n".repeat(5000)).put("etag", "1");
                for (int i = 0; i < 25; i++) {
                    parcels.addObject().put("name", "feeds/spaced" + i).put("etag", "a b");
                }
            }));
            Path local = tmp.resolve("local");
            PullPass pass = pass(proxy.url(), local);

            assertThat(pass.run()).isEqualTo(1);
            assertThat(pass.run()).isZero();

            assertThat(Files.readString(local.resolve("feeds/ok.txt"))).isEqualTo("fine\n");
            assertThat(local.resolve("feeds/bloat.txt")).doesNotExist();
            assertThat(local.resolve("feeds/ctl.txt")).doesNotExist();
            assertThat(proxy.manifestRequests()).isEqualTo(1);
            assertThat(Files.size(local.resolve(".caravan/pull/state.json"))).isLessThan(4096);
            assertThat(warnings.containing("feeds/bloat.txt")).isNotEmpty()
                    .allMatch(line -> line.contains("etag") && line.contains("not fetched") && line.length() < 1000);
            assertThat(warnings.containing("feeds/ctl.txt")).isNotEmpty().allMatch(line -> line.contains("etag"));
            assertThat(warnings.containing("feeds/nnnn")).isNotEmpty().allMatch(line -> line.length() < 1000);
            // per pass: the first 10 refused entries named, then how many in all
            assertThat(warnings.containing("refused: ")).hasSize(20);
            assertThat(warnings.containing("28 entries of the listing")).hasSize(2);
        }
    }

    @Test
    void aParcelPublishedButNotRecordedIsNotPublishedAgain(ReceiverFixture remote) throws Exception {
        send(remote, "feeds/note.txt", "note\n");
        Path local = tmp.resolve("local");
        try (CatalogProxy proxy = new CatalogProxy(remote.port()); LoggedWarnings warnings = new LoggedWarnings()) {
            // while the parcel is fetched, its record's file becomes a folder: the record cannot be written
            proxy.beforeChunkRequest(1, () -> Files.createDirectories(local.resolve(".caravan/pull/fetched.jsonl/x")));
            PullPass pass = new PullPass(new PullPass.Settings(new CatalogClient(proxy.url(), null, Duration.ofSeconds(30)),
                    "feeds/", local, 1, 0, Versions.inDestination(local, Duration.ofDays(1), Clock.systemUTC()),
                    new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))), Clock.systemUTC());

            assertThat(pass.run()).isEqualTo(1);
            assertThat(pass.run()).isZero();
            assertThat(pass.run()).isZero();

            assertThat(Files.readString(local.resolve("feeds/note.txt"))).isEqualTo("note\n");
            assertThat(TestTrees.keptVersions(local, "feeds/note.txt")).isEmpty();
            assertThat(proxy.manifestRequests()).isEqualTo(1);
            assertThat(warnings.containing("cannot record")).hasSize(1);
        }
    }

    private PullPass pass(String url, Path local) {
        return new PullPass(new PullPass.Settings(new CatalogClient(url, null, Duration.ofSeconds(30)), "feeds/", local, 1, 0,
                Versions.none(), new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))), Clock.systemUTC());
    }

    private static byte[] edit(byte[] page, java.util.function.Consumer<ArrayNode> change) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(page);
            change.accept((ArrayNode) json.get("parcels"));
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void send(ReceiverFixture remote, String name, String content) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src")).resolve(name.substring(name.lastIndexOf('/') + 1));
        TestTrees.write(source, content);
        SenderSettings sender = new SenderSettings("http://127.0.0.1:" + remote.port(), null,
                new PackOptions(Codecs.byName("zstd"), 3, 64 * 1024, name), 1, -1, tmp.resolve("sender-" + source.getFileName()),
                new Retry(2, Duration.ofMillis(100), Duration.ofMillis(200)));
        new ParcelSender(sender).send(source, name, Map.of("on_conflict", "replace"), ProgressListener.NONE);
    }
}
