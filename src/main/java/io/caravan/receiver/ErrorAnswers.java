package io.caravan.receiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.CaravanException;
import io.caravan.DescriptorsExhaustedException;
import io.caravan.StorageException;
import io.caravan.fs.NameRules;
import io.caravan.session.RequestRejectedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the failure of a request into the JSON error answer {@code {error, message, ...}} with the
 * failure's status (README "HTTP API"), for the receiver's route configuration. Every failure gets
 * an answer: a {@link CaravanException} its own code and status, anything unforeseen 500
 * {@code internal}; a 503 asks the client to retry after a few seconds. Running out of file descriptors
 * is one of those 503s ({@code too_many_open_files}), and is logged once with what to do. Each refusal
 * is logged in one INFO line; what the client sent (the path, values its message quotes) shows there with
 * its control characters escaped and cut to a bounded length, so no request can forge a line of the log
 * or send a terminal that shows it its control sequences.
 */
public final class ErrorAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorAnswers.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a 503 (stopping, out of memory, storage failing) asks a client to wait before it tries again. */
    static final String RETRY_AFTER_SECONDS = "5";
    /** The most characters of an answer's message its log line shows (its start and end when longer). */
    private static final int LOGGED_MESSAGE_CHARS = 1000;

    private final Path inbox;
    private final Consumer<String> rejected;
    private final ReceiverAudit audit;
    private final DescriptorShortage descriptors = new DescriptorShortage();
    /** A folder of the session store removed while the receiver ran, or empty; null: not asked. */
    private java.util.function.Supplier<java.util.Optional<Path>> removedFolder;

    /** {@code rejected} counts each refusal by its code. */
    public ErrorAnswers(Path inbox, Consumer<String> rejected) {
        this(inbox, rejected, null);
    }

    /** As above, each 4xx answer also recorded in {@code audit} (null: none). */
    public ErrorAnswers(Path inbox, Consumer<String> rejected, ReceiverAudit audit) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.rejected = rejected;
        this.audit = audit;
    }

    /**
     * Has every request that fails on the receiver's side (5xx) answered 503 {@code state_folder_removed} while
     * {@code removed} names a folder the session store holds open that was removed from the file system
     * ({@link io.caravan.session.SessionStore#removedFolder}): its failures then all come from that, and only a
     * restart makes the folders again. Returns this.
     */
    public ErrorAnswers removedFolder(java.util.function.Supplier<java.util.Optional<Path>> removed) {
        this.removedFolder = removed;
        return this;
    }

    /** Answers the failure the route caught ({@link Exchange#EXCEPTION_CAUGHT}). */
    public void answer(Exchange exchange) {
        respond(exchange, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    private void respond(Exchange exchange, Throwable failure) {
        Throwable e = failure instanceof CaravanException ? failure
                // a full disk or an I/O error is the machine's passing trouble (507/503), not an internal fault
                : StorageException.of(failure).map(Throwable.class::cast).orElse(failure);
        Map<String, Object> answer = new LinkedHashMap<>();
        int status;
        if (OutOfMemoryAnswer.outOfMemory(e)) { // Camel wraps an error thrown by a bean
            // direct buffer memory is exhausted by concurrent large bodies (or the heap): nothing was stored, the sender retries
            e = new RequestRejectedException(503, "busy", OutOfMemoryAnswer.message(e));
        }
        if (e instanceof DescriptorsExhaustedException) {
            descriptors.ranOut();
        }
        if (!(e instanceof CaravanException refused && refused.httpStatus() < 500) && removedFolder != null) {
            java.util.Optional<Path> removed = removedFolder.get();
            if (removed.isPresent()) {
                e = new RequestRejectedException(503, "state_folder_removed", "restart the receiver: its folder '"
                        + removed.get() + "' was removed or moved away while it ran (by a cleanup job or by hand), and"
                        + " nothing can be stored until a restart makes its folders again; senders then send again what"
                        + " was lost");
            }
        }
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
            answer.put("message", "'" + inboxRelative(((FileSystemException) e).getFile())
                    + "' is in the way of the name asked for (a file where a folder is needed); nothing was published:"
                    + " choose another name, or remove it");
        } else {
            // the failure's text can name the receiver's own folders and classes: it goes to the log only
            String reference = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | (1L << 60));
            status = 500;
            answer.put("error", "internal");
            answer.put("message", "the receiver failed on this request (reference " + reference + " in its log);"
                    + " what it had stored before stays stored: retry, and report the reference if it fails again");
            answer.put("reference", reference);
            LOG.error("request {} failed (reference {})", request(exchange), reference, e);
        }
        rejected.accept(String.valueOf(answer.get("error")));
        if (audit != null) {
            audit.rejected(exchange, status, String.valueOf(answer.get("error")));
        }
        if (status != 500) {
            LOG.info("rejected {}: {} {}", request(exchange), status,
                    NameRules.shortened(String.valueOf(answer.get("message")), LOGGED_MESSAGE_CHARS));
        }
        json(exchange, status, answer);
        if (status == 503) {
            exchange.getMessage().setHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        if (e instanceof RequestRejectedException r && status == 416) {
            exchange.getMessage().setHeader("Content-Range", "bytes */" + r.details().get("size"));
        }
    }

    /**
     * The request's method and path as its log line shows them: what the client sent, so with its control
     * characters escaped and cut to a bounded length ({@link NameRules#shortened}), as is the message quoting it.
     */
    private static String request(Exchange exchange) {
        return NameRules.shortened(exchange.getMessage().getHeader(Exchange.HTTP_METHOD) + " "
                + exchange.getMessage().getHeader(Exchange.HTTP_URI));
    }

    /**
     * Answers {@code status} with {@code body} as JSON, and no other header of the request. Written as UTF-8 bytes
     * straight away: a large answer (a {@code /check} listing every hash again) is never also held as characters
     * and as a string on the heap.
     */
    static void json(Exchange exchange, int status, Object body) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            out.setBody(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            out.setBody("{\"error\":\"internal\"}");
        }
    }

    /** A path from a file system error as the sender named it: relative to the inbox, never showing the receiver's folders. */
    private String inboxRelative(String file) {
        if (file != null && !Path.of(file).isAbsolute()) {
            return file;
        }
        Path path = file == null ? inbox : Path.of(file).normalize();
        return path.startsWith(inbox) ? inbox.relativize(path).toString() : String.valueOf(path.getFileName());
    }
}
