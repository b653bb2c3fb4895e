package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.caravan.catalog.RepublishedException;
import io.caravan.download.RefusedAnswerException;
import io.caravan.fs.BadNameException;
import io.caravan.fs.UnsafePathException;
import io.caravan.pack.ManifestException;
import io.caravan.receiver.ErrorAnswers;
import io.caravan.receiver.RefusedEntryException;
import io.caravan.sender.NoReceiverException;
import io.caravan.sender.ShipException;
import io.caravan.sender.TransferStoppedException;
import io.caravan.sender.UnreadableAnswerException;
import io.caravan.session.ChunkDigestMismatchException;
import io.caravan.session.RequestRejectedException;
import io.caravan.session.SessionExpiredException;
import io.caravan.session.SessionNotFoundException;
import io.caravan.session.postgres.DatabaseUnavailableException;
import io.caravan.share.ShareClient;
import io.caravan.share.ShareLog;
import io.caravan.sync.EmptySourceException;
import io.caravan.sync.PassExhaustedException;
import io.caravan.sync.SourceUnreadableException;
import io.caravan.sync.TooManyDeletesException;
import io.caravan.unpack.ChunkVerificationException;
import io.caravan.unpack.DamagedEntryException;
import io.caravan.unpack.DamagedStreamException;
import io.caravan.unpack.DecoderLimitException;
import io.caravan.unpack.ExpansionLimitException;
import io.caravan.unpack.ExtractLimitException;
import io.caravan.unpack.ManifestBreachException;
import io.caravan.unpack.PublishConflictException;
import io.caravan.unpack.ReferenceUnavailableException;
import io.caravan.unpack.UnsafeEntryException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.BindException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * The {@code error} codes of the JSON error answers are part of the HTTP API (README "HTTP API"),
 * and the sender acts on some of them: each failure type keeps its code and status whatever the
 * class is called, every code a refusal is thrown with stays as it is, and so do the codes of the
 * failures that are no failure type (storage, name conflicts, the unforeseen).
 */
class ErrorCodesTest {

    /** Every failure type with the code and status of its JSON error answer. */
    private static Map<CaravanException, String> pinned() throws Exception {
        Map<CaravanException, String> codes = new LinkedHashMap<>();
        codes.put(new CaravanException("m"), "caravan 400");
        codes.put(new InsufficientStorageException("m"), "insufficient_storage 507");
        codes.put(new StorageUnavailableException("m", null), "storage_unavailable 503");
        codes.put(new io.caravan.DescriptorsExhaustedException("m", null), "too_many_open_files 503");
        codes.put(new RepublishedException("n", "a", "c"), "republished 412");
        codes.put(new BadNameException("n", "r"), "bad_request 400");
        codes.put(new UnsafePathException("p", "w"), "unsafe_path 409");
        codes.put(new ManifestException("m"), "manifest 400");
        codes.put(new RefusedEntryException(new UnsafeEntryException("e", "r")), "refused_entry 422");
        codes.put(new SessionExpiredException("s", "t"), "session_expired 410");
        codes.put(new SessionNotFoundException("s"), "session_not_found 404");
        codes.put(new DatabaseUnavailableException("w", new java.sql.SQLException("m", "08006")), "database_unavailable 503");
        codes.put(new ChunkDigestMismatchException("s", 0, "a", "b"), "chunk_digest_mismatch 422");
        codes.put(new ChunkVerificationException("m"), "chunk_verification 409");
        codes.put(new ExtractLimitException("m"), "extract_limit 413");
        codes.put(new ExpansionLimitException("m"), "expansion_limit 413");
        codes.put(new ManifestBreachException("m"), "extract_limit 413");
        codes.put(new DecoderLimitException("m"), "decoder_limit 413");
        codes.put(new PublishConflictException("m"), "publish_conflict 409");
        codes.put(new ReferenceUnavailableException("e", "a".repeat(64), "r"), "reference_unavailable 409");
        codes.put(new UnsafeEntryException("e", "r"), "unsafe_entry 422");
        Constructor<?> largeSparse = io.caravan.unpack.LargeSparseEntryException.class.getDeclaredConstructor(String.class);
        largeSparse.setAccessible(true);
        codes.put((CaravanException) largeSparse.newInstance("e"), "unsafe_entry 422");
        codes.put(new DamagedStreamException("e", new IOException("m")), "damaged_stream 422");
        codes.put(new ShipException(500, "m", null), "ship 500");
        codes.put(new RefusedAnswerException("m", null), "ship 502");
        codes.put(new UnreadableAnswerException("m"), "unreadable_answer 502");
        codes.put(new DamagedEntryException("e", "r"), "damaged_entry 422");
        codes.put(new NoReceiverException("http://x", new IOException("m")), "no_receiver 503");
        codes.put(new TransferStoppedException("w"), "transfer_stopped 503");
        codes.put(new SourceUnreadableException(Path.of("s"), "m", new IOException("m")), "source_unreadable 400");
        codes.put(new TooManyDeletesException("m"), "too_many_deletes 400");
        codes.put(new EmptySourceException("m"), "empty_source 400");
        Constructor<?> portInUse = Class.forName("io.caravan.app.PortInUseException")
                .getDeclaredConstructor(String.class, int.class, BindException.class);
        portInUse.setAccessible(true);
        codes.put((CaravanException) portInUse.newInstance("h", 1, new BindException("m")), "port_in_use 400");
        codes.put(new RequestRejectedException(429, "too_many_sessions", "m"), "too_many_sessions 429");
        Constructor<?> cursorExpired = ShareLog.CursorExpiredException.class
                .getDeclaredConstructor(String.class, long.class, long.class, long.class);
        cursorExpired.setAccessible(true);
        codes.put((CaravanException) cursorExpired.newInstance("s", 1L, 5L, 9L), "cursor_expired 410");
        Constructor<?> shareRefused = ShareClient.ShareRefusedException.class.getDeclaredConstructor(String.class);
        shareRefused.setAccessible(true);
        codes.put((CaravanException) shareRefused.newInstance("m"), "share_refused 400");
        codes.put(PassExhaustedException.following(new OutOfMemoryError("m"), "s", "f", 1L), "pass_exhausted 400");
        return codes;
    }

    /** The codes refusals are thrown with ({@code new RequestRejectedException(status, "code", ...)}) in the main code. */
    private static final Set<String> REFUSALS = Set.of("bad_request", "busy", "body_too_large", "chunk_extracted", "chunk_too_large", "client_gone",
            "empty_chunk", "incomplete", "insufficient_storage", "not_a_mirror", "not_found", "published", "range_not_satisfiable",
            "session_too_large", "share_failing", "state_folder_removed", "stopping", "too_many_changes", "too_many_chunks", "too_many_entries_for_zip", "too_many_polls", "too_many_sessions", "too_many_values",
            "unauthorized");

    @Test
    void everyFailureTypeKeepsItsCodeAndStatus() throws Exception {
        pinned().forEach((failure, expected) -> assertThat(failure.code() + " " + failure.httpStatus())
                .as(failure.getClass().getName()).isEqualTo(expected));
    }

    @Test
    void failuresOfNoFailureTypeKeepTheirCodes() throws Exception {
        Map<Throwable, String> answers = new LinkedHashMap<>();
        answers.put(new IllegalArgumentException("m"), "bad_request 400");
        answers.put(new FileAlreadyExistsException("/elsewhere/x"), "name_conflict 409");
        answers.put(new NotDirectoryException("/elsewhere/x"), "name_conflict 409");
        answers.put(new FileSystemException("f", null, "No space left on device"), "insufficient_storage 507");
        answers.put(new FileSystemException("f", null, "Input/output error"), "storage_unavailable 503");
        answers.put(new OutOfMemoryError("Direct buffer memory"), "busy 503");
        answers.put(new IllegalStateException("m"), "internal 500");
        ErrorAnswers errors = new ErrorAnswers(Path.of("/inbox"), code -> { });
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            for (Map.Entry<Throwable, String> failure : answers.entrySet()) {
                Exchange exchange = new DefaultExchange(context);
                exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failure.getKey());
                errors.answer(exchange);
                JsonNode body = new ObjectMapper().readTree(exchange.getMessage().getBody(String.class));
                assertThat(body.path("error").asText() + " " + exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE))
                        .as(failure.getKey().toString()).isEqualTo(failure.getValue());
            }
        }
    }

    @Test
    void everyFailureTypeIsPinned() throws Exception {
        Set<String> pinned = new TreeSet<>();
        pinned().keySet().forEach(failure -> pinned.add(failure.getClass().getName()));
        Path classes = Path.of(CaravanException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> types = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, getClass().getClassLoader());
                if (CaravanException.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())) {
                    types.add(name);
                }
            }
        }
        assertThat(pinned).as("failure types whose code this test pins").isEqualTo(types);
    }

    @Test
    void refusalsKeepTheirCodes() throws IOException {
        Pattern refusal = Pattern.compile("RequestRejectedException\\(\\s*[^,;\"]+,\\s*"
                + "(?:[^,;\"]*\\?\\s*\"([a-z_]+)\"\\s*:\\s*)?\"([a-z_]+)\"");
        Set<String> codes = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = refusal.matcher(Files.readString(file));
                while (m.find()) {
                    if (m.group(1) != null) {
                        codes.add(m.group(1));
                    }
                    codes.add(m.group(2));
                }
            }
        }
        assertThat(codes).isEqualTo(new TreeSet<>(REFUSALS));
    }
}
