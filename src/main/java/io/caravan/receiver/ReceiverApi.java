package io.caravan.receiver;

import io.caravan.catalog.StreamedAnswers;
import io.caravan.session.ChunkBody;
import io.caravan.session.ChunkIndex;
import io.caravan.session.ChunkWrite;
import io.caravan.session.RequestRejectedException;
import io.caravan.sync.MirrorListing;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.netty.http.NettyHttpMessage;

/**
 * The HTTP side of the receiver's routes (routes/receiver.camel.yaml): reads path parameters,
 * headers and JSON bodies into typed requests for the receiver's beans (chunk bodies straight from
 * Netty's buffer, without a copy), and writes their typed answers as JSON with the statuses of the
 * README's "HTTP API". It answers no failure itself: refusals (including 503 {@code stopping} while
 * the context stops) are thrown, and answered by the routes' error configuration ({@link ErrorAnswers}).
 */
public final class ReceiverApi implements CamelContextAware {

    /** The exchange property holding when a chunk's head and last byte had arrived ({@link RequestArrival}). */
    private static final String CHUNK_ARRIVED = "CaravanChunkArrived";

    private final Receiver receiver;
    private final BearerToken token;
    private final RequestLimits limits;
    private final StreamedAnswers listings;
    private CamelContext camelContext;

    /** The verbs of {@code receiver}; mirror listings are written by {@code listings}. */
    public ReceiverApi(Receiver receiver, BearerToken token, RequestLimits limits, StreamedAnswers listings) {
        this.receiver = receiver;
        this.token = token;
        this.limits = limits;
        this.listings = listings;
    }

    /** The context whose stopping this API answers with 503 {@code stopping}. */
    @Override
    public void setCamelContext(CamelContext context) {
        this.camelContext = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** {@code POST /start}: the JSON options as a {@link StartRequest}. */
    public StartRequest startRequest(Exchange exchange) {
        admit(exchange);
        return JsonRequests.start(body(exchange, RequestLimits.START_VALUES, "POST /start"));
    }

    /**
     * {@code PUT /upload/{sid}/{idx}}: the chunk and its announced SHA-256 as a {@link ChunkUpload}.
     * Its body has arrived whole: the receiver's work on it starts now ({@link #chunkStored}).
     */
    public ChunkUpload chunkUpload(Exchange exchange) {
        RequestArrival arrival = RequestArrival.of(exchange);
        exchange.setProperty(CHUNK_ARRIVED, arrival != null ? arrival : new RequestArrival(System.nanoTime(), System.nanoTime()));
        admit(exchange);
        Message in = exchange.getMessage();
        String sha256 = in.getHeader("X-Chunk-Sha256", String.class);
        int index = ChunkIndex.parse(in.getHeader("idx", String.class));
        if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
            throw RequestRejectedException.badRequest("X-Chunk-Sha256 must be 64 hex digits, got '" + sha256 + "'");
        }
        // when its head came, on the wall clock: the session must have been open then, however long the body took
        java.time.Instant headAt = arrival == null ? null
                : java.time.Instant.now().minusNanos(Math.max(0, System.nanoTime() - arrival.headNanos()));
        return new ChunkUpload(in.getHeader("sid", String.class), index, chunkBody(exchange), sha256, headAt);
    }

    /**
     * {@code POST /finish/{sid}?on_conflict=&force=}: the session, its manifest and the publish options it
     * gives again as a {@link FinishRequest}, which asks the request's connection whether its client still waits.
     */
    public FinishRequest finishRequest(Exchange exchange) {
        admit(exchange);
        io.netty.channel.ChannelHandlerContext connection = exchange.getMessage().getHeader(
                org.apache.camel.component.netty.NettyConstants.NETTY_CHANNEL_HANDLER_CONTEXT,
                io.netty.channel.ChannelHandlerContext.class);
        return JsonRequests.finish(exchange.getMessage().getHeader("sid", String.class),
                body(exchange, limits.finishValues(), "POST /finish"), QueryParameters.value(exchange, "on_conflict"),
                QueryParameters.value(exchange, "force"), () -> connection == null || connection.channel().isActive());
    }

    /** {@code GET /status/{sid}}, {@code DELETE /sessions/{sid}}: the session named in the path. */
    public String sessionId(Exchange exchange) {
        admit(exchange);
        return exchange.getMessage().getHeader("sid", String.class);
    }

    /** Answers 200 with the body as JSON. */
    public void ok(Exchange exchange) {
        ErrorAnswers.json(exchange, 200, exchange.getMessage().getBody());
    }

    /**
     * Answers {@code GET /status/{sid}} 200 with the body: a {@link SessionStatus.Listed} written while it is sent on a
     * listing thread (503 {@code busy} when all are writing), any other as JSON made whole.
     */
    public void status(Exchange exchange) throws Exception {
        if (exchange.getMessage().getBody() instanceof SessionStatus.Listed listed) {
            listings.answer(exchange, "caravan-status", "application/json", listed::write, null);
        } else {
            ok(exchange);
        }
    }

    /** Answers 201 with the body as JSON. */
    public void created(Exchange exchange) {
        ErrorAnswers.json(exchange, 201, exchange.getMessage().getBody());
    }

    /** Answers 204 without a body. */
    public void noContent(Exchange exchange) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody("");
    }

    /**
     * Answers a stored chunk: 201 when it is new, 200 when it was there already or replaced one. The
     * answer's {@code X-Chunk-Work-Micros} gives the time from the chunk's last byte to this answer, the
     * receiver's own work on it (waiting for a thread included): a sender does not take that time for its
     * link's; {@code X-Chunk-Body-Micros}, the time from its head to its last byte, tells the sender how fast
     * the wire brought the body ({@link RequestArrival}).
     */
    public void chunkStored(Exchange exchange) {
        ChunkWrite write = exchange.getMessage().getBody(ChunkWrite.class);
        ErrorAnswers.json(exchange, write.httpStatus(), ChunkStored.of(write));
        RequestArrival arrived = exchange.getProperty(CHUNK_ARRIVED, RequestArrival.class);
        if (arrived != null) {
            exchange.getMessage().setHeader("X-Chunk-Work-Micros", (System.nanoTime() - arrived.lastNanos()) / 1000);
            exchange.getMessage().setHeader("X-Chunk-Body-Micros", arrived.bodyNanos() / 1000);
        }
    }

    /** {@code POST /check?h=}: the stored file with that content, or 404; without {@code h}, the batch form. */
    public void check(Exchange exchange) {
        admit(exchange);
        String hash = exchange.getMessage().getHeader("h", String.class);
        ContentChecks checks = receiver.contentChecks();
        if (hash == null) {
            ErrorAnswers.json(exchange, 200, checks.findAll(JsonRequests.hashes(
                    body(exchange, RequestLimits.CHECK_HASHES + 2, "POST /check"))));
            return;
        }
        Optional<StoredContent> hit = checks.find(hash);
        if (hit.isPresent()) {
            ErrorAnswers.json(exchange, 200, hit.get());
        } else {
            Map<String, Object> miss = new LinkedHashMap<>();
            miss.put("error", "not_found");
            miss.put("message", "no stored file has SHA-256 " + hash);
            ErrorAnswers.json(exchange, 404, miss);
        }
    }

    /**
     * {@code GET /mirror?name=&checksum=}: the mirror's entries, written while the mirror is walked, on a
     * listing thread (503 {@code busy} when all are writing); a bad name is refused before.
     */
    public void mirror(Exchange exchange) throws Exception {
        admit(exchange);
        String name = QueryParameters.value(exchange, "name");
        MirrorListing listing = receiver.mirrorUpdates().listing(name,
                "true".equalsIgnoreCase(QueryParameters.value(exchange, "checksum")));
        listings.answer(exchange, "caravan-mirror-listing", "application/json", listing::write, listing);
    }

    /**
     * {@code POST /mirror/changes?name=}: the renames and deletions as a {@link JsonRequests#mirrorChanges
     * request}, counted against the limit before the body is read into one.
     */
    public void mirrorChanges(Exchange exchange) throws IOException {
        admit(exchange);
        String body = body(exchange, Long.MAX_VALUE, "POST /mirror/changes");
        limits.checkMirrorChanges(body); // too many changes says more than too many values
        RequestLimits.checkJsonValues(body, limits.mirrorChangeValues(), "POST /mirror/changes");
        ErrorAnswers.json(exchange, 200, receiver.mirrorUpdates().change(QueryParameters.value(exchange, "name"),
                JsonRequests.mirrorChanges(body)));
    }

    /** A request is served only with the token, and not while the receiver stops. */
    private void admit(Exchange exchange) {
        // the pipeline's RequestGate has checked the token already; checked again for requests that reach here another way
        token.require(exchange.getMessage().getHeader("Authorization", String.class));
        if (camelContext != null && camelContext.isStopping()) {
            throw new RequestRejectedException(503, "stopping", "the receiver is stopping and"
                    + " stored nothing of this request: retry later; an upload resumes from the chunks it holds");
        }
    }

    /**
     * The request body as Netty holds it (direct buffers, no copy; kept alive by a reference count
     * when the extraction will read it next), or the message body elsewhere.
     */
    private static ChunkBody chunkBody(Exchange exchange) {
        NettyHttpMessage netty = exchange.getIn(NettyHttpMessage.class);
        if (netty != null && netty.getHttpRequest() != null) {
            ByteBuf content = netty.getHttpRequest().content();
            return new ChunkBody(content.nioBuffers(), () -> {
                content.retain();
                return content::release;
            });
        }
        byte[] bytes = exchange.getMessage().getBody(byte[].class);
        return ChunkBody.of(ByteBuffer.wrap(bytes == null ? new byte[0] : bytes));
    }



    /**
     * A JSON request body, read as UTF-8 whatever its declared type; 413 over the JSON limit, or when it
     * holds more than {@code maxValues} values ({@link RequestLimits#checkJsonValues}).
     */
    /**
     * {@code bytes} read as UTF-8, strictly: a body that is not UTF-8 is refused with 400, never read with U+FFFD in
     * place of its bytes (two names that differ only there would become one file).
     */
    private static String utf8(byte[] bytes, String endpoint) {
        java.nio.charset.CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult result = strict.decode(in, out, true);
        if (result.isError()) {
            throw RequestRejectedException.badRequest("the body of " + endpoint + " is not UTF-8 (a byte sequence no UTF-8"
                    + " text holds at byte offset " + in.position() + "): send JSON encoded as UTF-8");
        }
        strict.flush(out);
        return out.flip().toString();
    }

    private String body(Exchange exchange, long maxValues, String endpoint) {
        byte[] bytes = exchange.getMessage().getBody(byte[].class);
        if (bytes == null) {
            return null;
        }
        limits.checkJsonBody(bytes.length);
        String body = utf8(bytes, endpoint);
        RequestLimits.checkJsonValues(body, maxValues, endpoint);
        return body;
    }
}
