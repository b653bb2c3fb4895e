package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.ChunkTarget;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What the end-to-end tests share: command lines, receiver probes, tree comparison. */
final class E2e {

    static final ObjectMapper JSON = new ObjectMapper();

    private E2e() {
    }

    static int freePort() throws IOException {
        return ReceiverFixture.freePort();
    }

    /**
     * {@code caravan run} with everything under {@code dir}: receiver on {@code port}, sender to it,
     * outbox, inbox, sender state, a 300 ms file settle time and a 2 s folder quiet period.
     */
    static String[] run(Path dir, int port, String... extra) {
        List<String> args = new ArrayList<>(List.of("run",
                "-Dcaravan.receiver.port=" + port,
                "-Dcaravan.sender.url=http://127.0.0.1:" + port,
                "-Dcaravan.sender.outbox=" + dir.resolve("outbox"),
                "-Dcaravan.receiver.inbox=" + dir.resolve("inbox"),
                "-Dcaravan.sender.state-dir=" + dir.resolve("state"),
                "-Dcaravan.sender.file-settle-time=300",
                "-Dcaravan.sender.folder-quiet-period=2s"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** {@code caravan serve} on {@code port} publishing into {@code inbox}. */
    static String[] serve(int port, Path inbox) {
        return new String[] {"serve", "--port", String.valueOf(port), "--root", inbox.toString()};
    }

    /** A Prometheus counter or gauge of the receiver on {@code port}. */
    static double metric(int port, String name) throws IOException {
        HttpResponse<String> response = CaravanProcess.get(port, "/metrics");
        assertThat(response.statusCode()).as("GET /metrics").isEqualTo(200);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$").matcher(response.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static long bytesReceived(int port) throws IOException {
        return (long) metric(port, "caravan_bytes_received_bytes_total");
    }

    /**
     * Sends {@code folder} as {@code name} to the receiver on {@code port} (sender state in {@code dir/state},
     * shared by every such send) and returns the chunk bytes that receiver stored for it.
     */
    static long chunkBytesOfSend(CaravanProcess.Tracker processes, Path dir, Path folder, String name, int port)
            throws Exception {
        long before = bytesReceived(port);
        CaravanProcess send = processes.start(dir, "send-" + name, "send", folder.toString(), name,
                "--to", "http://127.0.0.1:" + port, "--state-dir", dir.resolve("state").toString(), "-q");
        int exit = send.awaitExit(Duration.ofSeconds(90));
        String output = send.log();
        assertThat(exit).as("send as '%s':\n%s", name, output).isZero();
        System.out.println("send as '" + name + "': " + onTheWire(output));
        return bytesReceived(port) - before;
    }

    /** {@code GET /status/<sid>} of the receiver on {@code port}. */
    static JsonNode status(int port, String sid) throws IOException {
        HttpResponse<String> response = CaravanProcess.get(port, "/status/" + sid);
        assertThat(response.statusCode()).as("GET /status/%s: %s", sid, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Upload sessions open on the receiver on {@code port} (the metric {@code caravan_sessions_open}). */
    static int openSessions(int port) throws IOException {
        return (int) metric(port, "caravan_sessions_open");
    }

    /** The session id of the one parcel the sender's journal in {@code stateDir} records, or null. */
    static String journalSessionId(Path stateDir) throws IOException {
        Path journal = stateDir.resolve("journal");
        if (!Files.isDirectory(journal)) {
            return null;
        }
        try (Stream<Path> files = Files.list(journal)) {
            List<Path> entries = files.filter(f -> f.getFileName().toString().endsWith(".json")).toList();
            return entries.size() == 1 ? JSON.readTree(entries.get(0).toFile()).path("session_id").asText(null) : null;
        }
    }

    /** Parcels the sender's journal in {@code stateDir} records as in flight. */
    static long journalEntries(Path stateDir) throws IOException {
        Path journal = stateDir.resolve("journal");
        if (!Files.isDirectory(journal)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }

    /** Size of the chunk stream {@code caravan send} produces for the source (manifest {@code total_size}). */
    static long streamSize(Path source, String codec, long chunkSize) throws IOException {
        PackOptions options = new PackOptions(Codecs.byName(codec), Codecs.level(Codecs.byName(codec), null), chunkSize,
                source.getFileName().toString());
        return new Packer(options, ProgressListener.NONE).pack(List.of(source), new ChunkTarget() {
            @Override
            public OutputStream open(int index) {
                return OutputStream.nullOutputStream();
            }

            @Override
            public void completed(ChunkInfo chunk) {
            }
        }).totalSize();
    }

    /** {@code caravan send}'s "on the wire" line, e.g. {@code on the wire: 12.0 MiB (5 chunks already on the receiver)}. */
    static String onTheWire(String output) {
        Matcher m = Pattern.compile("on the wire: .*").matcher(output);
        assertThat(m.find()).as("summary line 'on the wire' in:\n%s", output).isTrue();
        return m.group();
    }

    /** The number of chunks the summary says the receiver already held. */
    static int chunksAlreadyThere(String output) {
        Matcher m = Pattern.compile("\\((\\d+) chunks already on the receiver\\)").matcher(onTheWire(output));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** True when {@code actual} exists and equals {@code expected} entry by entry. */
    static boolean sameTree(TreeSnapshot expected, Path actual) throws IOException {
        try {
            return Files.exists(actual) && expected.differences(TreeSnapshot.of(actual)).isEmpty();
        } catch (java.nio.file.NoSuchFileException e) {
            return false; // an entry went away under the walk: the tree is still changing
        }
    }

    static void assertSameTree(TreeSnapshot expected, Path actual) throws IOException {
        assertThat(actual).exists();
        assertThat(expected.differences(TreeSnapshot.of(actual))).as("differences of %s from the source", actual).isEmpty();
    }

    /** Moves a prepared file or folder into the outbox at once, as a user's {@code mv} would. */
    static Path drop(Path prepared, Path outbox) throws IOException {
        Files.createDirectories(outbox);
        return Files.move(prepared, outbox.resolve(prepared.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Entries of a folder that do not start with a dot. */
    static List<String> visibleEntries(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }
}
