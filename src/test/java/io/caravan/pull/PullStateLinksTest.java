package io.caravan.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.caravan.download.CatalogClient;
import io.caravan.fs.Versions;
import io.caravan.sender.Retry;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull state ({@code <inbox>/.caravan/pull/state.json}) is never read or written through a link a
 * local user plants: a link as the pull folder is refused and nothing outside the inbox changes; a link
 * as the state file is replaced as a link, its target untouched; a state file too large to be one is
 * refused with a message, not read into memory.
 */
class PullStateLinksTest {

    @TempDir
    Path tmp;
    private HttpServer catalog;
    private Path inbox;
    private Path victim;
    private PullPass pass;

    @BeforeEach
    void emptyCatalog() throws Exception {
        catalog = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        catalog.createContext("/", exchange -> {
            byte[] body = "{\"parcels\":[],\"next\":null}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        catalog.start();
        inbox = Files.createDirectories(tmp.resolve("inbox"));
        victim = Files.createDirectories(tmp.resolve("victim"));
        Files.writeString(victim.resolve("state.json"), "{\"important\":\"user data\"}\n");
        pass = new PullPass(new PullPass.Settings(new CatalogClient("http://127.0.0.1:" + catalog.getAddress().getPort(),
                null, Duration.ofSeconds(30)), "feeds/", inbox, 1, 0, Versions.none(),
                new Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        catalog.stop(0);
    }

    @Test
    void aLinkAsThePullFolderIsRefusedAndNothingOutsideChanges() throws Exception {
        Files.createDirectories(inbox.resolve(".caravan"));
        Files.createSymbolicLink(inbox.resolve(".caravan/pull"), victim);

        assertThatThrownBy(pass::run).hasMessageContaining(".caravan/pull").hasMessageContaining("symbolic link")
                .hasMessageContaining("remove");

        assertThat(Files.readString(victim.resolve("state.json"))).isEqualTo("{\"important\":\"user data\"}\n");
        try (var listed = Files.list(victim)) {
            assertThat(listed).containsExactly(victim.resolve("state.json"));
        }
        assertThat(Files.isSymbolicLink(inbox.resolve(".caravan/pull"))).isTrue();
    }

    @Test
    void aLinkAsTheStateFilePlantedBetweenPassesIsReplacedNotFollowed() throws Exception {
        assertThat(pass.run()).isZero();
        Path state = inbox.resolve(".caravan/pull/state.json");
        assertThat(state).isRegularFile();
        // a file elsewhere that reads as a pull state: taken through the link, it would stop 'feeds/x' being fetched
        Path elsewhere = victim.resolve("other-state.json");
        Files.writeString(elsewhere, "{\"parcels\":{\"feeds/x\":\"1\"}}\n");
        Files.delete(state);
        Files.createSymbolicLink(state, elsewhere);

        assertThat(pass.run()).isZero();

        assertThat(Files.readString(elsewhere)).isEqualTo("{\"parcels\":{\"feeds/x\":\"1\"}}\n");
        assertThat(Files.isSymbolicLink(state)).isFalse();
        assertThat(Files.readString(state, StandardCharsets.UTF_8)).contains("last_pass").doesNotContain("feeds/x");
    }

    @Test
    void aLinkToAnEndlessFileIsNotReadIntoMemory() throws Exception {
        Files.createDirectories(inbox.resolve(".caravan/pull"));
        Files.createSymbolicLink(inbox.resolve(".caravan/pull/state.json"), Path.of("/dev/zero"));

        assertThat(pass.run()).isZero();

        assertThat(Files.isRegularFile(inbox.resolve(".caravan/pull/state.json"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    @Test
    void aStateFileTooLargeToBeOneIsRefusedWithAMessage() throws Exception {
        Path state = Files.createDirectories(inbox.resolve(".caravan/pull")).resolve("state.json");
        try (RandomAccessFile sparse = new RandomAccessFile(state.toFile(), "rw")) {
            sparse.setLength(65L << 20); // more than the 64 MiB a pull state may take
        }

        assertThatThrownBy(pass::run).hasMessageContaining(".caravan/pull/state.json").hasMessageContaining("larger than")
                .hasMessageContaining("remove it");
    }
}
