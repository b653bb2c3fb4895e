package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import io.caravan.LoggedWarnings;
import java.io.IOException;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver that runs out of file descriptors answers every request it cannot serve with 503 and the
 * JSON error body (with {@code Retry-After}), never 500, logs once what to do about it, and {@code /health}
 * says DOWN meanwhile; once descriptors are free again it serves as before. A start whose
 * {@code max-sessions} cannot fit in the process's descriptor limit warns with both numbers. The test
 * lowers its own process's soft limit ({@code setrlimit}) and takes the descriptors left itself.
 */
@EnabledOnOs(OS.LINUX)
class ReceiverFileDescriptorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** {@code getrlimit}/{@code setrlimit} of the descriptor limit of this process. */
    interface Limits extends Library {
        Limits C = Native.load("c", Limits.class);
        int RLIMIT_NOFILE = 7;

        int getrlimit(int resource, RLimit limit) throws LastErrorException;

        int setrlimit(int resource, RLimit limit) throws LastErrorException;

        @Structure.FieldOrder({"cur", "max"})
        class RLimit extends Structure {
            public long cur;
            public long max;
        }
    }

    private static Limits.RLimit limit() {
        Limits.RLimit limit = new Limits.RLimit();
        Limits.C.getrlimit(Limits.RLIMIT_NOFILE, limit);
        return limit;
    }

    private static void softLimit(long cur, long max) {
        Limits.RLimit limit = new Limits.RLimit();
        limit.cur = cur;
        limit.max = max;
        Limits.C.setrlimit(Limits.RLIMIT_NOFILE, limit);
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Sends one request on {@code socket} and reads its answer. */
    private static RawAnswer exchange(Socket socket, String method, String path, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return RawAnswer.read(socket.getInputStream());
    }

    private static int status(RawAnswer answer) {
        return Integer.parseInt(answer.statusLine().split(" ")[1]);
    }

    private static JsonNode json(RawAnswer answer) throws IOException {
        return JSON.readTree(answer.body());
    }

    /**
     * Takes every descriptor the process may still open but one (a test's classes are read from a folder,
     * each through a descriptor of its own, where a real receiver's come from its jar, held open).
     */
    private static List<FileChannel> takeAllButOne() {
        List<FileChannel> taken = new ArrayList<>();
        try {
            while (true) {
                taken.add(FileChannel.open(Path.of("/dev/null")));
            }
        } catch (IOException noneLeft) {
            // the limit is reached
        }
        closeLast(taken);
        return taken;
    }

    private static void closeLast(List<FileChannel> taken) {
        try {
            taken.remove(taken.size() - 1).close();
        } catch (IOException ignored) {
            // a descriptor of /dev/null
        }
    }

    private static void closeAll(List<FileChannel> taken) {
        while (!taken.isEmpty()) {
            closeLast(taken);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRequestThatFindsNoDescriptorIs503WithTheErrorBodyAndHealthSaysDownUntilSomeAreFree() throws Exception {
        Limits.RLimit original = limit();
        String start = ReceiverCalls.startBody("a.tar", Map.of());
        try (LoggedWarnings warnings = new LoggedWarnings();
             ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"));
             Socket socket = new Socket("127.0.0.1", receiver.port())) {
            assertThat(warnings.containing("max-sessions")).as("the default fits the test's limit").isEmpty();
            socket.setSoTimeout(20_000);
            assertThat(status(exchange(socket, "POST", "/start", start))).isEqualTo(201);
            assertThat(status(exchange(socket, "GET", "/status/" + "0".repeat(32), ""))).isEqualTo(404);
            assertThat(status(exchange(socket, "GET", "/health", ""))).isEqualTo(200);

            RawAnswer first = null;
            RawAnswer second = null;
            RawAnswer health = null;
            // other threads of this JVM (receivers of earlier tests closing down) may free a descriptor meanwhile:
            // requests that then all found one are tried again, with every descriptor but one taken anew
            for (int attempt = 0; attempt < 5 && (first == null || status(first) != 503 && status(second) != 503
                    && status(health) != 503); attempt++) {
                softLimit(Math.min(original.max, openDescriptors() + 64), original.max);
                List<FileChannel> taken = takeAllButOne();
                try {
                    first = exchange(socket, "POST", "/start", start);
                    second = exchange(socket, "POST", "/start", start);
                    health = exchange(socket, "GET", "/health", "");
                } finally {
                    closeAll(taken);
                    softLimit(original.cur, original.max);
                }
            }

            for (RawAnswer refused : List.of(first, second)) {
                assertThat(status(refused)).as(refused.body()).isEqualTo(503);
                assertThat(refused.headers()).containsEntry("content-type", "application/json")
                        .containsKey("retry-after");
                assertThat(json(refused).get("error").asText()).isEqualTo("too_many_open_files");
                assertThat(json(refused).get("message").asText()).contains("file descriptor").contains("retry");
            }
            assertThat(status(health)).as(health.body()).isEqualTo(503);
            assertThat(json(health).get("status").asText()).isEqualTo("DOWN");
            assertThat(json(health).get("file_descriptors").asText()).isEqualTo("DOWN");
            assertThat(warnings.containing("ulimit -n")).as("what to do, logged once").hasSize(1)
                    .allSatisfy(w -> assertThat(w).contains("caravan.receiver.max-sessions"));

            assertThat(status(exchange(socket, "POST", "/start", start))).as("served again").isEqualTo(201);
            JsonNode up = ok(receiver.get("/health"), 200);
            assertThat(up.get("status").asText()).isEqualTo("UP");
            assertThat(up.size()).isEqualTo(1);
            assertThat(startArchive(receiver, "b.tar")).isNotBlank();
        } finally {
            softLimit(original.cur, original.max);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aStartWhoseMaxSessionsCannotFitInTheDescriptorLimitWarnsWithBothNumbers() throws Exception {
        Limits.RLimit original = limit();
        long lowered = Math.min(original.max, openDescriptors() + 400);
        softLimit(lowered, original.max);
        try (LoggedWarnings warnings = new LoggedWarnings();
             ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"),
                     Map.of("caravan.receiver.max-sessions", "700"))) {
            assertThat(warnings.containing("caravan.receiver.max-sessions=700")).hasSize(1).allSatisfy(w -> assertThat(w)
                    .contains("ulimit -n").contains(String.valueOf(lowered)));
            assertThat(startArchive(receiver, "a.tar")).as("the receiver serves all the same").isNotBlank();
        } finally {
            softLimit(original.cur, original.max);
        }
    }
}
