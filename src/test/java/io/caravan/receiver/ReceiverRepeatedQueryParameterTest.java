package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A query parameter given twice is refused with 400 {@code bad_request} naming it, on every endpoint that
 * reads it, instead of being joined into one value ({@code "[a, b]"}) and used as a name; and a change list
 * that changes nothing on a mirror that does not exist creates no mirror folder.
 */
class ReceiverRepeatedQueryParameterTest {

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"),
                Map.of("caravan.shares.s1", Files.createDirectories(tmp.resolve("shared")).toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /mirror?name=m1&name=ms", "GET /files?path=a&path=b", "GET /parcels?prefix=a&prefix=b",
        "GET /parcels/manifest?name=a&name=b", "GET /parcels/chunks/0?name=a&name=b", "GET /shares/s1/events?since=0&since=1",
        "GET /shares/s1/events?since=0&timeout=1&timeout=2", "GET /shares/s1/files?path=a&path=b",
        "GET /shares/s1/listing?checksum=true&checksum=false", "GET /audit?since=0&since=1", "GET /parcels/zip?name=a&name=b",
        "GET /parcels/tar-zst?name=a&name=b"})
    void aParameterGivenTwiceIs400NamingIt(String request) throws Exception {
        String[] parts = request.split(" ", 2);
        HttpResponse<String> answer = receiver.send(parts[0], parts[1], null);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        JsonNode json = ReceiverCalls.JSON.readTree(answer.body());
        assertThat(json.get("error").asText()).isEqualTo("bad_request");
        String name = parts[1].substring(parts[1].lastIndexOf('&') + 1).split("=")[0];
        assertThat(json.get("message").asText()).contains("?" + name + "= is given twice");
    }

    @Test
    void aMirrorChangeWithTheNameTwiceIsRefusedAndCreatesNothing() throws Exception {
        HttpResponse<String> answer = receiver.post("/mirror/changes?name=site&name=x", "{\"delete\":[\"nothing\"]}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        assertThat(answer.body()).contains("?name= is given twice");
        HttpResponse<String> finish = receiver.post("/finish/nosuch?force=true&force=false", "{}");
        assertThat(finish.statusCode()).as(finish.body()).isEqualTo(400);
        assertThat(visibleEntries()).isEmpty();
    }

    @Test
    void changesThatChangeNothingOnAMissingMirrorCreateNoFolder() throws Exception {
        HttpResponse<String> answer = receiver.post("/mirror/changes?name=fresh", "{\"delete\":[\"nothing\"]}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"skipped\"");
        assertThat(visibleEntries()).isEmpty();
    }

    private static java.util.List<String> visibleEntries() throws Exception {
        try (Stream<Path> entries = Files.list(receiver.inbox())) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }
}
