package io.caravan.e2e;

import java.io.IOException;
import io.caravan.util.TreeSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Command lines and receiver probes the sync end-to-end tests share. */
final class SyncE2e {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SyncE2e() {
    }

    static String[] serve(int port, Path inbox) {
        return new String[] {"serve", "--port", String.valueOf(port), "--root", inbox.toString()};
    }

    static String[] sync(Path source, int port, Path state, String... extra) {
        return syncTo(source, "http://127.0.0.1:" + port, state, extra);
    }

    /** {@code caravan sync} of {@code source} as mirror 'mirror' to the receiver at {@code url}. */
    static String[] syncTo(Path source, String url, Path state, String... extra) {
        List<String> args = new ArrayList<>(List.of("sync", source.toString(), "--to", url,
                "--name", "mirror", "--state-dir", state.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** Session ids the sync journal in {@code stateDir} records as in flight. */
    static List<String> journalSessions(Path stateDir) throws IOException {
        Path journal = stateDir.resolve("sync-journal");
        if (!Files.isDirectory(journal)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(journal)) {
            List<String> sessions = new ArrayList<>();
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                sessions.add(E2e.JSON.readTree(file.toFile()).path("session_id").asText());
            }
            return sessions;
        }
    }

    /** Entry names of a tree ({@code folder/} for folders), sorted. */
    static List<String> names(Path root) throws IOException {
        return List.copyOf(TreeSnapshot.of(root).entries().keySet());
    }

    /** The receiver's {@code caravan_bytes_received_bytes_total}. */
    static long bytesReceived(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^caravan_bytes_received_bytes_total(?:\\{[^}]*})? (\\S+)$").matcher(response.body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
