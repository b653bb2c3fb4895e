package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.caravan.sync.LocalMirror;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncGuards;
import io.caravan.sync.SyncMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that names places outside the follower's folder (climbing '..', absolute paths,
 * Caravan's own state, a link and then a file "inside" it, a rename out of the folder) gets them
 * refused: the follower writes only inside its folder and never through a link.
 */
class HostileShareTest {

    @TempDir
    Path tmp;
    HttpServer server;
    Path outside;

    @BeforeEach
    void start() throws Exception {
        outside = Files.createDirectories(tmp.resolve("outside"));
        String listing = """
                {"share":"evil","sequence":7,"entries":[
                 {"path":"../escaped.txt","type":"file","size":2,"mtime":1000,"mode":420},
                 {"path":"/tmp/absolute.txt","type":"file","size":2,"mtime":1000,"mode":420},
                 {"path":"sub/../../climbed.txt","type":"file","size":2,"mtime":1000,"mode":420},
                 {"path":".caravan-follow/cursor","type":"file","size":2,"mtime":1000,"mode":420},
                 {"path":"lnk","type":"link","target":"%s"},
                 {"path":"lnk/through.txt","type":"file","size":2,"mtime":1000,"mode":420},
                 {"path":"ok.txt","type":"file","size":2,"mtime":1000,"mode":420}]}
                """.formatted(outside.toString());
        String events = """
                {"share":"evil","latest":9,"events":[
                 {"seq":8,"type":"RENAME","path":"../renamed-out.txt","from":"ok.txt","entry":{"path":"../renamed-out.txt","type":"file","size":2,"mtime":1000,"mode":420}},
                 {"seq":9,"type":"CREATE","path":"new.txt","entry":{"path":"new.txt","type":"file","size":2,"mtime":1000,"mode":420}}]}
                """;
        server = StaticShareServer.start("evil", listing, events, "hi");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void hostileNamesAreRefusedAndNothingIsWrittenOutside() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("work/target"));
        List<String> refused = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SyncConsole console = new SyncConsole(new PrintStream(out, true, StandardCharsets.UTF_8));
        ShareClient client = new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/evil", null, "t", null,
                refused::add);
        LocalMirror mirror = new LocalMirror(target, SyncMode.INCREMENTAL, false, 2, List.of(), SyncGuards.DEFAULT, false,
                Duration.ofDays(1), console, client);
        new ShareFollower(client, mirror, false, Duration.ofSeconds(1), console).once();

        assertThat(refused).anyMatch(r -> r.contains("../escaped.txt")).anyMatch(r -> r.contains("/tmp/absolute.txt"))
                .anyMatch(r -> r.contains("climbed.txt")).anyMatch(r -> r.contains(".caravan-follow/cursor"));
        assertThat(target.resolve("ok.txt")).hasContent("hi");
        assertThat(outside).isEmptyDirectory();
        assertThat(tmp.resolve("work/escaped.txt")).doesNotExist();
        assertThat(tmp.resolve("climbed.txt")).doesNotExist();
        assertThat(Path.of("/tmp/absolute.txt")).doesNotExist();
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.filter(p -> !p.startsWith(target) && Files.isRegularFile(p))).isEmpty();
        }

        ShareClient.Events answer = client.events(7, Duration.ofSeconds(1));
        assertThat(answer.events()).extracting(ShareEvent::path).containsExactly("new.txt");
        assertThat(refused).anyMatch(r -> r.contains("../renamed-out.txt"));
    }
}
