package io.caravan.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Command lines and receiver probes the sync end-to-end tests share. */
final class SyncE2e {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SyncE2e() {
    }

    static String[] serve(int port, Path inbox) {
        return new String[] {"serve", "--port", String.valueOf(port), "--root", inbox.toString()};
    }

    static String[] sync(Path source, int port, Path state, String... extra) {
        List<String> args = new ArrayList<>(List.of("sync", source.toString(), "--to", "http://127.0.0.1:" + port,
                "--name", "mirror", "--state-dir", state.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** The receiver's {@code caravan_bytes_received_bytes_total}. */
    static long bytesReceived(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^caravan_bytes_received_bytes_total(?:\\{[^}]*})? (\\S+)$").matcher(response.body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
