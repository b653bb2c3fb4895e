package io.caravan.share;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.catalog.AnswerConnection;
import io.caravan.catalog.AnswerMemory;
import io.caravan.catalog.ByteRange;
import io.caravan.catalog.CatalogService;
import io.caravan.catalog.FileSliceAnswer;
import io.caravan.catalog.StreamedAnswers;
import io.caravan.receiver.BearerToken;
import io.caravan.receiver.QueryParameters;
import io.caravan.session.RequestRejectedException;
import io.caravan.sync.SyncEntry;
import java.io.IOException;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.AsyncProcessorSupport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Binds the share verbs to {@link Shares}: {@code GET /shares}, {@code GET /shares/{name}/listing}
 * (the tree at one sequence number, {@code ?checksum=true} with SHA-256s, written while it is sent),
 * {@code GET
 * /shares/{name}/files?path=} (ranged, streamed by Netty, through the read side's
 * {@link CatalogService#file}), {@code POST /shares/{name}/files} (several files in one answer,
 * {@link ShareBundle}) and the long-poll {@code GET /shares/{name}/events?since=&timeout=},
 * an {@link AsyncProcessor}: a poll with nothing to answer yet returns its thread at once and is
 * answered when the log completes its future; when its connection closes first (the client hung up),
 * the poll is let go at once, its exchange ended, so a client that opens polls and hangs up leaves
 * nothing behind. Every verb requires the receiver's token.
 */
public final class ShareApi {

    /** The header camel-netty puts the request's channel context in. */
    private static final String CHANNEL_CONTEXT = "CamelNettyChannelHandlerContext";
    /** Longest wait a poll may ask for. */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Shares shares;
    private final BearerToken token;
    private final StreamedAnswers listings;
    private final Map<String, CatalogService> files = new java.util.concurrent.ConcurrentHashMap<>();

    /** The verbs of {@code shares}; listings are written by {@code listings}. */
    public ShareApi(Shares shares, BearerToken token, StreamedAnswers listings) {
        this.shares = shares;
        this.token = token;
        this.listings = listings;
    }

    /** The shares served. */
    Shares shares() {
        return shares;
    }

    /** {@code GET /shares}. */
    public void list(Exchange exchange) throws Exception {
        token.require(exchange.getMessage().getHeader("Authorization", String.class));
        json(exchange, 200, shares.describe());
    }

    /**
     * {@code GET /shares/{name}/listing?checksum=}: the tree at one sequence number, written entry by
     * entry while it is sent ({@link ShareListing}) on a listing thread (503 {@code busy} when all are
     * writing); with checksums, files unchanged since they were last hashed are not read again.
     */
    public void listing(Exchange exchange) throws Exception {
        Share share = share(exchange);
        if (share.failure() != null) { // what it lists is what it held before: its files may be served no more
            throw new RequestRejectedException(503, "share_failing", share.failure());
        }
        boolean checksum = "true".equalsIgnoreCase(QueryParameters.nonEmpty(exchange, "checksum"));
        ShareLog.Listing listing = share.log().listing();
        byte[] buffer = checksum ? new byte[64 * 1024] : null; // used by the listing's one thread only
        ShareListing.Hashes hashes = checksum ? (entry, whileHashing) -> share.sha256(entry, buffer, whileHashing)
                : (entry, whileHashing) -> null;
        listings.answer(exchange, "caravan-listing-" + share.name(), "application/json",
                out -> ShareListing.write(out, share.name(), listing, hashes), null);
    }

    /** {@code GET /shares/{name}/files?path=} with optional {@code Range}. */
    public void file(Exchange exchange) throws Exception {
        Share share = share(exchange);
        Message in = exchange.getMessage();
        String path = QueryParameters.nonEmpty(exchange, "path");
        CatalogService reader = reader(share);
        CatalogService.OpenFile file = reader.file(path, in.getHeader("Range", String.class));
        ByteRange range = file.range();
        long length = range == null ? file.size() : range.length();
        FileSliceAnswer response = AnswerMemory.admit(exchange, new FileSliceAnswer(range == null ? HttpResponseStatus.OK
                : HttpResponseStatus.PARTIAL_CONTENT, file.channel(), file.channel().position(), length, shares::served));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        response.headers().set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        response.headers().set(HttpHeaderNames.ETAG, file.etag());
        response.headers().set("X-Caravan-Mtime", String.valueOf(file.mtimeMillis()));
        if (range != null) {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, range.contentRange());
        }
        AnswerConnection.send(exchange, response);
    }

    /**
     * {@code POST /shares/{name}/files} with {@code {"paths":[...]}}: those files' content in one answer
     * ({@link ShareBundle}), read from the files piece by piece as the connection takes it ({@link BundleAnswer}).
     */
    public void files(Exchange exchange) throws Exception {
        Share share = share(exchange);
        List<String> paths = ShareBundle.paths(exchange.getMessage().getBody(byte[].class));
        CatalogService reader = reader(share);
        BundleAnswer answer = AnswerMemory.admit(exchange, new BundleAnswer(reader, paths, shares::served));
        AnswerConnection.send(exchange, answer);
    }

    private CatalogService reader(Share share) {
        return files.computeIfAbsent(share.name(), n -> CatalogService.ofFolder(share.root()));
    }

    /** The long-poll, as a processor of its own (the route's {@code process} step). */
    public AsyncProcessor events() {
        return new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                CompletableFuture<List<ShareEvent>> answer;
                Share share;
                Channel channel = exchange.getMessage().getHeader(CHANNEL_CONTEXT) instanceof ChannelHandlerContext context
                        ? context.channel() : null;
                if (channel != null && !channel.isActive()) {
                    callback.done(true); // hung up before its turn came: nothing to answer, no follower seen
                    return true;
                }
                CompletableFuture<Void> hungUp = new CompletableFuture<>();
                try {
                    share = share(exchange);
                    long since = number(QueryParameters.nonEmpty(exchange, "since"), "since", 0);
                    long wait = Math.min(timeout(QueryParameters.nonEmpty(exchange, "timeout")), MAX_WAIT.toSeconds());
                    Message in = exchange.getMessage();
                    answer = shares.await(share, since, Duration.ofSeconds(wait),
                            in.getHeader("X-Caravan-Follower", String.class), in.getHeader("CamelNettyRemoteAddress", String.class),
                            hungUp);
                } catch (Exception e) {
                    exchange.setException(e);
                    callback.done(true);
                    return true;
                }
                if (answer.isDone()) {
                    answer(exchange, share, answer.join());
                    callback.done(true);
                    return true;
                }
                answer.whenComplete((events, failure) -> {
                    if (failure != null) {
                        exchange.setException(failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                ? c.getCause() : failure);
                    } else {
                        answer(exchange, share, events);
                    }
                    callback.done(false);
                });
                if (channel != null) {
                    // a client that hangs up frees its poll (and this exchange, with its connection's pipeline) at once
                    ChannelFutureListener gone = closed -> hungUp.complete(null);
                    channel.closeFuture().addListener(gone);
                    answer.whenComplete((events, failure) -> channel.closeFuture().removeListener(gone));
                }
                return false;
            }
        };
    }

    private void answer(Exchange exchange, Share share, List<ShareEvent> events) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("share", share.name());
        body.put("latest", events.isEmpty() ? share.log().latest() : events.get(events.size() - 1).seq());
        body.put("events", events.stream().map(ShareEvent::toJson).toList());
        try {
            json(exchange, 200, body);
        } catch (JsonProcessingException e) {
            exchange.setException(e);
        }
    }

    private Share share(Exchange exchange) {
        Message in = exchange.getMessage();
        token.require(in.getHeader("Authorization", String.class));
        Share share = shares.get(sentName(in.getHeader(Exchange.HTTP_PATH, String.class), in.getHeader("name", String.class)));
        shares.touch(share.name(), in.getHeader("X-Caravan-Follower", String.class), in.getHeader("CamelNettyRemoteAddress", String.class));
        return share;
    }

    /**
     * The share's name as the request sent it: its path's segment after {@code /shares/}, unescaped. The route's
     * {@code {name}} is cut at an escaped slash ({@code /shares/site%2fx/listing} gives {@code site}); the segment
     * names no share then ({@code site/x}). {@code path}: the request's path as sent (netty-http's {@code CamelHttpPath};
     * its {@code CamelHttpUri} is unescaped); {@code routed} when it is not at hand.
     */
    private static String sentName(String path, String routed) {
        if (path == null || !path.startsWith("/shares/")) {
            return routed;
        }
        String segment = path.substring("/shares/".length()).split("[/?]", 2)[0];
        try {
            return java.net.URLDecoder.decode(segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }

    /** {@code ?timeout=}: seconds, 25 when absent; a negative one is refused (more than the longest wait waits that long). */
    private static long timeout(String text) {
        long seconds = number(text, "timeout", 25);
        if (seconds < 0) {
            throw RequestRejectedException.badRequest("?timeout= must be 0 to " + MAX_WAIT.toSeconds() + " seconds, not " + seconds);
        }
        return seconds;
    }

    private static long number(String text, String what, long fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw RequestRejectedException.badRequest("?" + what + "= must be a whole number, not '" + text + "'");
        }
    }


    private static void json(Exchange exchange, int status, Map<String, Object> body) throws JsonProcessingException {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(JSON.writeValueAsString(body));
    }
}
