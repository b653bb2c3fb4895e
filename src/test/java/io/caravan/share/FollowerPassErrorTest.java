package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.caravan.CaravanException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pass of a follower that fails with an {@link Error} (out of memory, a stack overflow) ends the
 * follower at once with one line saying what happened and what to do, not with a raw stack trace and
 * not by trying the same pass again in a JVM that just ran out. The error is raised while the pass
 * applies the share's changes (refusing one that cannot be applied), outside the reads of the listing
 * and of the changes.
 */
class FollowerPassErrorTest {

    @TempDir
    Path tmp;
    HttpServer server;

    @BeforeEach
    void start() throws Exception {
        String listing = """
                {"share":"s","sequence":7,"entries":[{"path":"ok.txt","type":"file","size":2,"mtime":1000,"mode":420}]}
                """;
        String events = """
                {"share":"s","latest":8,"events":[{"seq":8,"type":"CREATE","path":"broken.txt"}]}
                """;
        server = StaticShareServer.start("s", listing, events, "hi");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aPassOutOfMemoryEndsTheFollowerWithOneLineSayingWhatToDo() throws Exception {
        String message = failedRun(() -> new OutOfMemoryError("Java heap space"));

        assertThat(message).contains("ran out of memory").contains("JAVA_OPTS=-Xmx").contains("--exclude")
                .doesNotContain("\n");
    }

    @Test
    void aPassStackOverflowEndsTheFollowerWithOneLineSayingWhatToDo() throws Exception {
        String message = failedRun(StackOverflowError::new);

        assertThat(message).contains("stack").contains("JAVA_OPTS=-Xss").doesNotContain("\n");
    }

    /** Runs a follower whose pass raises the error; returns the message it ends with, having checked the console. */
    private String failedRun(Supplier<Error> error) throws Exception {
        Path target = Files.createDirectories(tmp.resolve("target"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SyncConsole console = new SyncConsole(new PrintStream(out, true, StandardCharsets.UTF_8));
        ShareClient client = new ShareClient("http://127.0.0.1:" + server.getAddress().getPort() + "/shares/s", null, "t", null,
                why -> {
                    throw error.get();
                });
        LocalMirror mirror = new LocalMirror(target, SyncMode.INCREMENTAL, false, 2, List.of(), SyncGuards.DEFAULT, false,
                Duration.ofDays(1), console, client);
        ShareFollower follower = new ShareFollower(client, mirror, false, Duration.ofSeconds(1), console);
        CompletableFuture<Throwable> ended = CompletableFuture.supplyAsync(() -> {
            try {
                follower.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Throwable thrown;
        try {
            thrown = ended.get(20, TimeUnit.SECONDS);
        } finally {
            follower.close();
        }

        assertThat(thrown).isInstanceOf(CaravanException.class);
        assertThat(target.resolve("ok.txt")).hasContent("hi");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("\tat ").doesNotContain("Exception in thread");
        return thrown.getMessage();
    }
}
