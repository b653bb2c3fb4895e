package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request line whose percent-escapes are malformed (a lone {@code %}, {@code %zz}, an escape that is
 * not UTF-8) gets 400 {@code bad_request} with the JSON error body, on every path, never an empty reply;
 * a connection without a request body stays usable.
 */
class ReceiverMalformedUrlTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"));
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) {
        receiver = started;
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /parcels?prefix=%zz", "GET /status/%zz", "GET /status/%", "GET /files/a%2", "GET /%zz",
        "GET /mirror?name=%zz", "GET /parcels/%ff%fe/manifest", "GET /audit?since=%", "PUT /upload/%zz/0",
        "POST /finish/%zz", "GET /shares/%zz/events?since=0", "GET /parcels/x.zip?%=1"})
    void aMalformedEscapeIs400WithTheJsonBodyOnAUsableConnection(String requestLine) throws Exception {
        badRequestOnAUsableConnection(requestLine, "percent");
    }

    /**
     * Sends {@code requestLine} (bytes above 0x7F as UTF-8) and expects 400 {@code bad_request} whose message holds
     * {@code saying}; without a body the connection then answers the next request.
     */
    private static void badRequestOnAUsableConnection(String requestLine, String saying) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            String body = requestLine.startsWith("GET") ? "" : "{}";
            write(socket, requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 400");
            JsonNode json = ReceiverCalls.JSON.readTree(answer.body());
            assertThat(json.get("error").asText()).isEqualTo("bad_request");
            assertThat(json.get("message").asText()).contains(saying);
            if (!body.isEmpty()) {
                return; // a refused request's body is read and dropped, then the connection closes (RequestGate)
            }

            write(socket, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(RawAnswer.read(socket.getInputStream()).statusLine()).startsWith("HTTP/1.1 200");
        }
    }

    /**
     * A target holding a character no URL may hold as it is (java.net.URI refuses it, and the connection would
     * close without an answer) gets 400 {@code bad_request} naming it, on every path, even {@code /health};
     * the connection stays usable. Bytes above 0x7F are sent raw (UTF-8), as a careless client would.
     */
    @ParameterizedTest
    @ValueSource(strings = {"GET /health?x=a|b", "GET /files?path=a\"b", "GET /status/a\\b", "GET /status/a^b",
        "GET /status/a`b", "GET /status/a<b>", "GET /status/a{b}", "GET /status/a\u007fb", "GET /console/x\\y",
        "GET /parcels?prefix=[x]", "GET /status/caf\u00e9", "GET /health?x=\u00e9", "GET /status/a#b", "POST /finish/a|b"})
    void aCharacterNoUrlHoldsIs400NamingIt(String requestLine) throws Exception {
        badRequestOnAUsableConnection(requestLine, "percent-encode");
    }

    /** A space in the target splits the request line: 400 with the JSON body, then the connection closes. */
    @org.junit.jupiter.api.Test
    void aSpaceInTheTargetIs400WithTheJsonBody() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            write(socket, "GET /status/a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).startsWith("HTTP/1.1 400");
            assertThat(ReceiverCalls.JSON.readTree(answer.body()).get("error").asText()).isEqualTo("bad_request");
        }
    }

    /** A request line or headers longer than the decoder reads get 414 or 431 with the JSON body, never a 404 or a bare 400. */
    @org.junit.jupiter.params.ParameterizedTest
    @ValueSource(strings = {"uri", "header", "headers"})
    void anOversizedRequestHeadIsAnsweredWithJson(String what) throws Exception {
        String request = switch (what) {
            case "uri" -> "GET /status/" + "a".repeat(40_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            case "header" -> "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n";
            default -> "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "X-Many: c\r\n".repeat(2_000) + "\r\n";
        };
        try (Socket socket = new Socket("127.0.0.1", receiver.port())) {
            socket.setSoTimeout(10_000);
            write(socket, request);
            RawAnswer answer = RawAnswer.read(socket.getInputStream());
            assertThat(answer.statusLine()).matches("HTTP/1.1 4(14|31) .*");
            JsonNode json = ReceiverCalls.JSON.readTree(answer.body());
            assertThat(json.get("error").asText()).isNotBlank();
            assertThat(json.get("message").asText()).containsAnyOf("long", "large");
        }
    }

    @org.junit.jupiter.api.Test
    void theLongestNamePercentEncodedFitsInTheRequestLine() throws Exception {
        // 15 parts of 200 bytes: 3014 bytes of UTF-8, near the longest name NameRules take; over 9000 characters encoded
        String name = String.join("/", java.util.Collections.nCopies(15, "\u00e9".repeat(100)));
        String encoded = java.net.URLEncoder.encode(name, StandardCharsets.UTF_8);
        ReceiverCalls.error(receiver.get("/parcels/manifest?name=" + encoded), 404, "not_found");
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
