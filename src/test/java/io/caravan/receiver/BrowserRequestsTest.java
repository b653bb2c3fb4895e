package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a web page the receiver's user visits can make a receiver do. Without a token (the default on loopback) any
 * page could post to it: start sessions until every slot is taken, delete and rename mirror files; and a page
 * served from a name that resolves to 127.0.0.1 (DNS rebinding) could read the whole inbox. So a request a
 * browser says comes from another site ({@code Sec-Fetch-Site}, else an {@code Origin} other than the {@code Host})
 * may read but change nothing (403 {@code cross_site}), and a receiver without a token answers only requests
 * addressed to it by an IP address, {@code localhost} or a name it was given (403 {@code host_not_allowed}).
 * Clients that are not browsers send neither header and pass as before.
 */
class BrowserRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private ReceiverFixture receiver;

    @AfterEach
    void stop() throws Exception {
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void aPostFromAPageOfAnotherSiteChangesNothing() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"));
        byte[] start = "{\"name\":\"csrf\",\"codec\":\"zstd\"}".getBytes(StandardCharsets.UTF_8);
        for (String[] from : new String[][] {{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"},
                {"Sec-Fetch-Site", "same-site"}, {"Origin", "null"}}) {
            HttpResponse<String> refused = receiver.send("POST", "/start", start, "Content-Type", "text/plain", from[0], from[1]);

            assertThat(refused.statusCode()).as(from[0] + ": " + from[1]).isEqualTo(403);
            JsonNode error = JSON.readTree(refused.body());
            assertThat(error.get("error").asText()).isEqualTo("cross_site");
            assertThat(error.get("message").asText()).contains("another site");
        }
        Path sessions = receiver.inbox().resolve(".caravan/sessions");
        assertThat(!Files.isDirectory(sessions) || Files.list(sessions).findAny().isEmpty()).as("no session started").isTrue();

        String origin = "http://127.0.0.1:" + receiver.port();
        assertThat(receiver.send("POST", "/start", start, "Content-Type", "application/json", "Origin", origin,
                "Sec-Fetch-Site", "same-origin").statusCode()).as("from a page of the receiver itself").isEqualTo(201);
        assertThat(receiver.send("POST", "/start", start, "Content-Type", "application/json").statusCode())
                .as("a client that is no browser").isEqualTo(201);
        assertThat(receiver.send("GET", "/parcels", null, "Sec-Fetch-Site", "cross-site").statusCode())
                .as("a link followed from another site reads").isEqualTo(200);
    }

    @Test
    void withoutATokenOnlyRequestsAddressedByAnIpOrLocalhostAreAnswered() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"));

        String refused = raw("GET /parcels HTTP/1.1\r\nHost: rebound.evil.example:" + receiver.port() + "\r\n\r\n");
        assertThat(refused).startsWith("HTTP/1.1 403").contains("host_not_allowed").contains("caravan.receiver.allowed-hosts");
        for (String host : new String[] {"127.0.0.1:" + receiver.port(), "localhost:" + receiver.port(), "LOCALHOST",
                "[::1]:" + receiver.port(), "10.1.2.3"}) {
            assertThat(raw("GET /parcels HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).as(host).startsWith("HTTP/1.1 200");
        }
        assertThat(raw("GET /health HTTP/1.1\r\nHost: rebound.evil.example\r\n\r\n")).as("the health probe")
                .startsWith("HTTP/1.1 200");
    }

    /** Two Host headers are refused (RFC 9112, 3.2), whichever comes first: the receiver never picks one. */
    @Test
    void aRequestWithTwoHostsIs400() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"));

        for (String hosts : new String[] {"Host: 127.0.0.1\r\nHost: evil.example", "Host: evil.example\r\nHost: 127.0.0.1",
                "Host: 127.0.0.1\r\nHost: 127.0.0.1", "Host: 127.0.0.1, evil.example"}) {
            assertThat(raw("GET /parcels HTTP/1.1\r\n" + hosts + "\r\n\r\n")).as(hosts).startsWith("HTTP/1.1 400")
                    .contains("bad_request").contains("Host");
        }
    }

    @Test
    void namesGivenInAllowedHostsAndAnyNameWithATokenAreAnswered() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.allowed-hosts", "files.example.com, backup"));
        assertThat(raw("GET /parcels HTTP/1.1\r\nHost: files.example.com:8834\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(raw("GET /parcels HTTP/1.1\r\nHost: BACKUP\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(raw("GET /parcels HTTP/1.1\r\nHost: other.example.com\r\n\r\n")).startsWith("HTTP/1.1 403");
        receiver.close();

        receiver = new ReceiverFixture(tmp.resolve("inbox-token"), Map.of("caravan.receiver.token", "secret"));
        assertThat(raw("GET /parcels HTTP/1.1\r\nHost: caravan.example.com\r\nAuthorization: Bearer secret\r\n\r\n"))
                .as("with a token, a page cannot read anything by another name").startsWith("HTTP/1.1 200");
    }

    /** One request on a raw connection (the JDK's client does not let a test set {@code Host}); the answer's head. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            byte[] answer = new byte[4096];
            int length = 0;
            for (int read; length < answer.length && (read = in.read(answer, length, answer.length - length)) > 0; ) {
                length += read;
                String sofar = new String(answer, 0, length, StandardCharsets.ISO_8859_1);
                int head = sofar.indexOf("\r\n\r\n");
                if (head >= 0 && sofar.length() > head + 4) {
                    break;
                }
            }
            return new String(answer, 0, length, StandardCharsets.ISO_8859_1);
        }
    }
}
