package io.caravan.receiver;

import io.caravan.audit.AuditEvent;
import io.caravan.audit.AuditText;
import io.caravan.audit.AuditTrail;
import io.caravan.audit.JsonlAuditTrail;
import io.caravan.session.RequestRejectedException;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver's routes' side of the audit trail: {@link #note} keeps, as the first step of an audited
 * route, who asked for what (client address, session, name, start time) before the answer replaces the
 * request's headers; the later steps record the event from that note and the answer. A refused request's
 * line holds at most {@value AuditText#MAX} characters of what the client sent, and authentication failures
 * are summed up per client address and interval ({@link AuthFailureTally}). It also serves
 * {@code GET /audit?since=&limit=} as a JSON array, oldest first. Recording never fails a request.
 */
public final class ReceiverAudit {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverAudit.class);

    /** The exchange property holding the {@link Note} of the request. */
    static final String NOTE = "caravan.audit.note";

    private final AuditTrail trail;
    private final BearerToken token;
    private final AuthFailureTally authFailures;

    /** Authentication failures summed up a minute at a time (see {@link AuthFailureTally}). */
    public ReceiverAudit(AuditTrail trail, BearerToken token) {
        this(trail, token, AuthFailureTally.DEFAULT_INTERVAL, Clock.systemUTC());
    }

    /** Authentication failures summed up each {@code authFailureInterval}: ask {@link #flush} about as often. */
    public ReceiverAudit(AuditTrail trail, BearerToken token, Duration authFailureInterval, Clock clock) {
        this.trail = trail;
        this.token = token;
        this.authFailures = new AuthFailureTally(authFailureInterval, clock);
    }

    /** Writes the sums of authentication failures still counted, their interval ended or not (the receiver stops). */
    public void close() {
        safely("authentication failures", () -> authFailures.all().forEach(trail::record));
    }

    /** Writes the sums of authentication failures whose interval has ended; a timer calls this. */
    public void flush() {
        safely("authentication failures", () -> authFailures.due().forEach(trail::record));
    }

    public AuditTrail trail() {
        return trail;
    }

    /** Who asked for what, noted when the request arrived. */
    record Note(String client, String session, String name, long startNanos) {
    }

    /** First step of an audited route: notes the request's client, session and name. */
    public void note(Exchange exchange) {
        Message in = exchange.getMessage();
        String name = QueryParameters.forRecord(in, "name");
        if (name == null) {
            name = QueryParameters.forRecord(in, "path");
        }
        exchange.setProperty(NOTE, new Note(client(exchange), in.getHeader("sid", String.class), name, System.nanoTime()));
    }

    /** After {@code sessions.start}: the session the body names started, for the name the request gave. */
    public void started(Exchange exchange) {
        safely("session start", () -> {
            SessionStarted started = exchange.getMessage().getBody(SessionStarted.class);
            trail.record(event(exchange, AuditEvent.SESSION_START).session(started.sessionId()).result(AuditEvent.OK));
        });
    }

    /** Before {@code sessions.start}: notes the name the request asks for (for the start or rejection line). */
    public void starting(Exchange exchange) {
        StartRequest request = exchange.getMessage().getBody(StartRequest.class);
        Note note = exchange.getProperty(NOTE, Note.class);
        if (request != null && note != null) {
            exchange.setProperty(NOTE, new Note(note.client(), note.session(), request.name(), note.startNanos()));
        }
    }

    /** After {@code publishing.finish}: the parcel the body describes was published. */
    public void published(Exchange exchange) {
        safely("publish", () -> {
            Published published = exchange.getMessage().getBody(Published.class);
            trail.record(event(exchange, AuditEvent.PUBLISH).name(published.path()).files(published.files()).bytes(published.bytes())
                    .sha256(published.sha256()).result(AuditEvent.OK));
        });
    }

    /** After a mirror change was applied. */
    public void mirrorChanged(Exchange exchange) {
        safely("mirror change", () -> trail.record(event(exchange, AuditEvent.MIRROR_CHANGE).result(AuditEvent.OK)));
    }

    /** After the catalog began to serve a parcel's manifest, archive or file. */
    public void downloaded(Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status != null && status >= 300) {
            return; // not modified: nothing was served
        }
        safely("download", () -> trail.record(event(exchange, AuditEvent.DOWNLOAD).result(AuditEvent.OK)));
    }

    /** After the cleanup: the sessions it removed expired; old rotated audit files go too. */
    public void expired(List<String> sessions) {
        for (String sid : sessions) {
            trail.record(AuditEvent.of(AuditEvent.EXPIRY).session(sid).result(AuditEvent.OK));
        }
        if (trail instanceof JsonlAuditTrail jsonl) {
            jsonl.cleanup();
        }
    }

    /**
     * A request answered with a 4xx {@code status} and error {@code code} (called by {@link ErrorAnswers}); the
     * client-given name, path or session of the line is bounded ({@link AuditText}), and a 401 is summed up with
     * its client's others ({@link AuthFailureTally}).
     */
    void rejected(Exchange exchange, int status, String code) {
        if (status < 400 || status >= 500) {
            return;
        }
        safely("rejection", () -> {
            AuditEvent event = event(exchange, authFailure(status, code) ? AuditEvent.AUTH_FAILURE : AuditEvent.REJECTION).result(code);
            if (event.name() == null && event.session() == null) {
                event = event.name(path(exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class)));
            }
            if (authFailure(status, code)) {
                authFailures.failed(event.client(), event.name(), code).forEach(trail::record);
            } else {
                trail.record(event.name(AuditText.bounded(event.name())).session(AuditText.bounded(event.session())));
            }
        });
    }

    /** A console login with a wrong token: an authentication failure of this request's client. */
    public void loginRefused(Exchange exchange) {
        rejected(exchange, 401, "unauthorized");
    }

    /**
     * A request refused from its headers before it reached a route (called by {@link RequestGate}):
     * 401 and 429 {@code too_many_wrong_tokens} are authentication failures, anything else (413) a rejection.
     */
    void refused(SocketAddress remote, String uri, int status, String code) {
        safely("refusal", () -> {
            if (authFailure(status, code)) {
                authFailures.failed(address(remote), path(uri), code).forEach(trail::record);
            } else {
                trail.record(AuditEvent.of(AuditEvent.REJECTION).client(address(remote)).name(AuditText.bounded(path(uri))).result(code));
            }
        });
    }

    /** Whether a refusal is an authentication failure: 401, or 429 for an address sending wrong tokens. */
    private static boolean authFailure(int status, String code) {
        return status == 401 || WrongTokenLimit.CODE.equals(code);
    }

    /** Runs a recording step; whatever goes wrong in it is logged, never failing the request it describes. */
    private static void safely(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("could not record the audit line of a {}: {}", what, e.toString());
        }
    }

    /** {@code GET /audit?since=&limit=}: the events after {@code since}, oldest first, as a JSON array. */
    public void query(Exchange exchange) {
        token.require(exchange.getMessage().getHeader("Authorization", String.class));
        String since = QueryParameters.value(exchange, "since");
        String limit = QueryParameters.value(exchange, "limit");
        Instant from;
        int max;
        try {
            from = since == null || since.isBlank() ? null : Instant.parse(since);
            max = limit == null || limit.isBlank() ? AuditTrail.MAX_READ : Integer.parseInt(limit);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw RequestRejectedException.badRequest("since must be an ISO-8601 UTC time such as 2026-01-05T10:00:00Z"
                    + " and limit a number, got since='" + since + "', limit='" + limit + "'");
        }
        ErrorAnswers.json(exchange, 200, trail.since(from, max));
    }

    private AuditEvent event(Exchange exchange, String kind) {
        Note note = exchange.getProperty(NOTE, Note.class);
        if (note == null) {
            note(exchange);
            note = exchange.getProperty(NOTE, Note.class);
        }
        return AuditEvent.of(kind).client(note.client()).session(note.session()).name(note.name())
                .durationMs((System.nanoTime() - note.startNanos()) / 1_000_000);
    }

    private static String client(Exchange exchange) {
        Message in = exchange.getMessage();
        Object remote = in.getHeader("CamelNettyRemoteAddress");
        if (remote == null) {
            ChannelHandlerContext ctx = in.getHeader("CamelNettyChannelHandlerContext", ChannelHandlerContext.class);
            remote = ctx == null ? null : ctx.channel().remoteAddress();
        }
        return remote instanceof SocketAddress address ? address(address) : null;
    }

    private static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return remote == null ? null : remote.toString();
    }

    private static String path(String uri) {
        if (uri == null) {
            return null;
        }
        String path = uri.split("\\?", 2)[0];
        int scheme = path.indexOf("://");
        if (scheme >= 0) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        return path;
    }

}
