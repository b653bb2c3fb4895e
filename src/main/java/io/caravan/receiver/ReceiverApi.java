package io.caravan.receiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.CaravanException;
import io.caravan.session.ChunkWrite;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.caravan.session.ChunkBody;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.netty.http.NettyHttpMessage;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the HTTP protocol to the {@link Receiver}: reads path parameters, headers and bodies from
 * the exchange, writes JSON answers and status codes. Chunk bodies are taken straight from
 * Netty's buffer, without a copy. Every failure becomes a JSON body {@code {error, message, ...}}
 * with the failure's status. While the context stops, requests are answered 503 with Retry-After.
 */
public final class ReceiverApi implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a 503 (stopping, out of buffer memory) asks a client to wait before it tries again. */
    private static final String RETRY_AFTER_SECONDS = "5";

    private final Receiver receiver;
    private final PrometheusMeterRegistry registry;
    private final BearerToken token;
    private final RequestLimits limits;

    public ReceiverApi(Receiver receiver, PrometheusMeterRegistry registry, BearerToken token, RequestLimits limits) {
        this.receiver = receiver;
        this.registry = registry;
        this.token = token;
        this.limits = limits;
    }

    private CamelContext camelContext;

    /**
     * Called when this bean is bound: closes the receiver (ends its extraction workers) when the
     * context stops, since Camel's registry never closes the beans bound in it. Without this a
     * stopped receiver left its workers behind, sharing staging folders with the next one.
     */
    @Override
    public void setCamelContext(CamelContext context) {
        this.camelContext = context;
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    receiver.close();
                }
            }, true, false);
        } catch (Exception e) {
            throw RuntimeCamelException.wrapRuntimeCamelException(e);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** An endpoint's work; any exception it throws becomes a JSON error answer. */
    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    public void start(Exchange exchange) {
        handle(exchange, () -> json(exchange, 201, receiver.start(body(exchange))));
    }

    public void upload(Exchange exchange) {
        handle(exchange, () -> {
            Message in = exchange.getMessage();
            ChunkWrite write = receiver.upload(in.getHeader("sid", String.class), in.getHeader("idx", String.class),
                    chunkBody(exchange), in.getHeader("X-Chunk-Sha256", String.class));
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("index", write.chunk().index());
            answer.put("sha256", write.chunk().sha256());
            answer.put("size", write.chunk().size());
            answer.put("stored", write.outcome().name().toLowerCase(java.util.Locale.ROOT));
            json(exchange, write.httpStatus(), answer);
        });
    }

    public void status(Exchange exchange) {
        handle(exchange, () -> json(exchange, 200, receiver.status(exchange.getMessage().getHeader("sid", String.class))));
    }

    public void finish(Exchange exchange) {
        handle(exchange, () -> json(exchange, 200,
                receiver.finish(exchange.getMessage().getHeader("sid", String.class), body(exchange))));
    }

    public void delete(Exchange exchange) {
        handle(exchange, () -> {
            receiver.delete(exchange.getMessage().getHeader("sid", String.class));
            exchange.getMessage().removeHeaders("*");
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
            exchange.getMessage().setBody("");
        });
    }

    public void check(Exchange exchange) {
        handle(exchange, () -> {
            String hash = exchange.getMessage().getHeader("h", String.class);
            if (hash == null) {
                json(exchange, 200, receiver.checkBatch(body(exchange)));
                return;
            }
            Optional<Map<String, Object>> hit = receiver.check(hash);
            if (hit.isPresent()) {
                json(exchange, 200, hit.get());
            } else {
                json(exchange, 404, Map.of("error", "not_found", "message", "no stored file has SHA-256 " + hash));
            }
        });
    }

    public void mirror(Exchange exchange) {
        handle(exchange, () -> json(exchange, 200, receiver.mirror(queryParameter(exchange, "name"),
                "true".equalsIgnoreCase(exchange.getMessage().getHeader("checksum", String.class)))));
    }

    public void mirrorChanges(Exchange exchange) {
        handle(exchange, () -> {
            String body = body(exchange);
            limits.checkMirrorChanges(body);
            json(exchange, 200, receiver.mirrorChanges(queryParameter(exchange, "name"), body));
        });
    }

    private void handle(Exchange exchange, Action action) {
        try {
            authorize(exchange);
            if (camelContext != null && camelContext.isStopping()) {
                throw new io.caravan.session.RequestRejectedException(503, "stopping", "the receiver is stopping and"
                        + " stored nothing of this request: retry later; an upload resumes from the chunks it holds");
            }
            action.run();
        } catch (OutOfMemoryError e) {
            // direct buffer memory is exhausted by concurrent large bodies: nothing was stored, the sender retries
            error(exchange, new io.caravan.session.RequestRejectedException(503, "busy",
                    "the receiver is out of buffer memory (" + e.getMessage() + "); nothing was stored, retry later"));
        } catch (Exception e) {
            error(exchange, e);
        }
    }

    /**
     * {@code GET /health}: {@code {"status":"UP"}}, or 503 {@code {"status":"DOWN"}} when the state
     * folder is unusable (missing, not a writable folder, a link); nothing more, and no token needed.
     */
    public void health(Exchange exchange) throws JsonProcessingException {
        boolean up = usableFolder(receiver.config().stateDir());
        json(exchange, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN"));
    }

    private static boolean usableFolder(Path dir) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.isDirectory() && Files.isWritable(dir) && Files.isExecutable(dir);
        } catch (IOException e) {
            return false;
        }
    }

    public void metrics(Exchange exchange) throws JsonProcessingException {
        try {
            authorize(exchange);
        } catch (CaravanException e) {
            error(exchange, e);
            return;
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getMessage().setBody(registry.scrape());
    }

    /** Turns a failure into a JSON error answer with the failure's status; also used by the routes' error handler. */
    public void error(Exchange exchange) {
        error(exchange, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    private void error(Exchange exchange, Exception failure) {
        // a full disk or an I/O error is the machine's passing trouble (507/503), not an internal fault
        Exception e = failure instanceof CaravanException ? failure
                : io.caravan.StorageException.of(failure).map(Exception.class::cast).orElse(failure);
        Map<String, Object> answer = new LinkedHashMap<>();
        int status;
        if (e instanceof CaravanException ce) {
            status = ce.httpStatus();
            answer.put("error", ce.code());
            answer.put("message", ce.getMessage());
            answer.putAll(ce.details());
        } else if (e instanceof IllegalArgumentException) {
            status = 400;
            answer.put("error", "bad_request");
            answer.put("message", e.getMessage());
        } else if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
            // publishing under a name whose folder is a file (or the like): the name is taken, not a fault here
            status = 409;
            answer.put("error", "name_conflict");
            answer.put("message", "'" + inboxRelative(((java.nio.file.FileSystemException) e).getFile())
                    + "' is in the way of the name asked for (a file where a folder is needed); nothing was published:"
                    + " choose another name, or remove it");
        } else {
            status = 500;
            answer.put("error", "internal");
            answer.put("message", String.valueOf(e));
            LOG.error("request {} {} failed", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                    exchange.getMessage().getHeader(Exchange.HTTP_URI), e);
        }
        receiver.rejected(String.valueOf(answer.get("error")));
        if (status != 500) {
            LOG.info("rejected {} {}: {} {}", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                    exchange.getMessage().getHeader(Exchange.HTTP_URI), status, answer.get("message"));
        }
        try {
            json(exchange, status, answer);
        } catch (JsonProcessingException jsonFailure) {
            exchange.getMessage().setBody("{\"error\":\"internal\"}");
        }
        if (status == 503) {
            exchange.getMessage().setHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
    }

    /** The pipeline's {@link RequestGate} has checked this already; checked again for calls that reach here another way. */
    private void authorize(Exchange exchange) {
        if (!token.accepts(exchange.getMessage().getHeader("Authorization", String.class))) {
            throw new io.caravan.session.RequestRejectedException(401, "unauthorized",
                    "missing or wrong bearer token: send 'Authorization: Bearer <token>'");
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

    /** A query parameter, percent-decoded (netty-http leaves query values as sent; '/' arrives as %2F). */
    private static String queryParameter(Exchange exchange, String name) {
        String raw = exchange.getMessage().getHeader(name, String.class);
        return raw == null ? null : java.net.URLDecoder.decode(raw, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A JSON request body, read as UTF-8 whatever its declared type; 413 over the JSON limit. */
    private String body(Exchange exchange) {
        byte[] bytes = exchange.getMessage().getBody(byte[].class);
        if (bytes == null) {
            return null;
        }
        limits.checkJsonBody(bytes.length);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A path from a file system error as the sender named it: relative to the inbox, never showing the receiver's folders. */
    private String inboxRelative(String file) {
        if (file != null && !Path.of(file).isAbsolute()) {
            return file;
        }
        Path inbox = receiver.config().inbox().toAbsolutePath().normalize();
        Path path = file == null ? inbox : Path.of(file).normalize();
        return path.startsWith(inbox) ? inbox.relativize(path).toString() : String.valueOf(path.getFileName());
    }

    private static void json(Exchange exchange, int status, Object body) throws JsonProcessingException {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(JSON.writeValueAsString(body));
    }
}
