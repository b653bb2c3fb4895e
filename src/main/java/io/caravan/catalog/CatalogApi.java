package io.caravan.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.receiver.BearerToken;
import io.caravan.receiver.QueryParameters;
import io.caravan.session.ChunkIndex;
import io.caravan.session.RequestRejectedException;
import io.caravan.util.NonClosingOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import io.caravan.pack.Codecs;
import io.caravan.pack.TarTreeWriter;
import io.caravan.pack.ZipEntryBound;
import io.caravan.pack.ZipTreeWriter;
import io.caravan.progress.ProgressListener;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Binds the read side's REST verbs to the {@link CatalogService}: query parameters in, JSON or
 * streamed bytes out. Bytes (chunks, files) are streamed from disk through Netty with their
 * {@code Content-Length}, so a response holds no more than Netty's write buffer in memory; archives
 * are built on the {@link ArchiveWriters} threads and sent as they are built ({@link ArchivePipe}). Failures
 * are thrown, and answered by the routes' error configuration (the receiver's JSON error answer).
 */
public final class CatalogApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes of an archive that may wait between the thread building it and Netty sending it. */
    private static final int ARCHIVE_BUFFER = 1 << 20;
    /** The zips being built at once (one per archive thread) keep their entries' records in at most 1/4 of the heap. */
    private static final int ZIP_HEAP_SHARE = 4;

    private final CatalogService service;
    private final BearerToken token;
    private final StreamedAnswers archives;
    private final ZipEntryBound zipBound;

    public CatalogApi(CatalogService service, BearerToken token, ArchiveWriters archiveWriters) {
        this.service = service;
        this.token = token;
        this.archives = new StreamedAnswers(archiveWriters, ARCHIVE_BUFFER);
        this.zipBound = ZipEntryBound.ofHeapShare(ZIP_HEAP_SHARE * archiveWriters.threads());
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** {@code GET /parcels?prefix=&since=&limit=&after=}. */
    public void list(Exchange exchange) throws Exception {
        handle(exchange, () -> json(exchange, 200, service.list(
                QueryParameters.nonEmpty(exchange, "prefix"), QueryParameters.nonEmpty(exchange, "since"),
                QueryParameters.nonEmpty(exchange, "limit"), QueryParameters.nonEmpty(exchange, "after"))));
    }

    /** {@code GET /parcels/manifest?name=}: the manifest JSON with its {@code ETag}. */
    public void manifest(Exchange exchange) throws Exception {
        handle(exchange, () -> {
            CatalogService.ServedManifest manifest = service.manifest(QueryParameters.nonEmpty(exchange, "name"));
            json(exchange, 200, null);
            exchange.getMessage().setHeader("ETag", CatalogService.quoted(manifest.etag()));
            exchange.getMessage().setBody(manifest.json());
        });
    }

    /** {@code GET /parcels/chunks/{index}?name=} with optional {@code If-Match}: the chunk's bytes, {@code ETag} its SHA-256. */
    public void chunk(Exchange exchange) throws Exception {
        handle(exchange, () -> {
            String name = QueryParameters.nonEmpty(exchange, "name");
            int index = ChunkIndex.parse(exchange.getMessage().getHeader("index", String.class));
            String ifMatch = exchange.getMessage().getHeader("If-Match", String.class);
            for (int attempt = 0; ; attempt++) {
                try {
                    CatalogService.ServedChunk chunk = service.openChunk(name, index, ifMatch);
                    DefaultHttpResponse response = answer(exchange, new FileSliceAnswer(HttpResponseStatus.OK, chunk.file(),
                            chunk.position(), chunk.info().size(), sent -> { }), chunk.info().size(), "application/octet-stream");
                    response.headers().set(HttpHeaderNames.ETAG, CatalogService.quoted(chunk.info().checksum()));
                    return;
                } catch (NoSuchFileException evicted) {
                    if (attempt > 0) {
                        throw evicted;
                    }
                    // the packing was evicted meanwhile: ask again, which packs it again
                }
            }
        });
    }

    /** {@code GET /files?path=} with optional {@code Range}: one published file, resumable ({@code curl -C -}). */
    public void file(Exchange exchange) throws Exception {
        handle(exchange, () -> {
            Message in = exchange.getMessage();
            String path = QueryParameters.nonEmpty(exchange, "path");
            CatalogService.OpenFile file = service.file(path, in.getHeader("Range", String.class));
            String ifRange = in.getHeader("If-Range", String.class);
            ByteRange range = file.range();
            if (range != null && ifRange != null && !ifRange.trim().equals(file.etag())) {
                range = null; // the file changed since the client's copy began: the whole file again
                file.channel().position(0);
            }
            long length = range == null ? file.size() : range.length();
            DefaultHttpResponse response = answer(exchange, new FileSliceAnswer(range == null ? HttpResponseStatus.OK
                    : HttpResponseStatus.PARTIAL_CONTENT, file.channel(), file.channel().position(), length, sent -> { }),
                    length, "application/octet-stream");
            response.headers().set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
            response.headers().set(HttpHeaderNames.ETAG, file.etag());
            response.headers().set(HttpHeaderNames.LAST_MODIFIED, DateTimeFormatter.RFC_1123_DATE_TIME
                    .format(Instant.ofEpochMilli(file.mtimeMillis()).atZone(ZoneOffset.UTC)));
            if (range != null) {
                response.headers().set(HttpHeaderNames.CONTENT_RANGE, range.contentRange());
            }
        });
    }

    /**
     * {@code GET /parcels/zip?name=}: the published folder or file as one zip archive, streamed as it is built;
     * one of more entries than the {@link ZipEntryBound} of this receiver's heap is refused with 413 before
     * anything is sent.
     */
    public void zip(Exchange exchange) throws Exception {
        archive(exchange, ".zip", "application/zip", this::requireZippable, (entry, leftOut, out) ->
                new ZipTreeWriter(ProgressListener.NONE, 1, zipBound, leftOut).write(entry.parent(), entry.leaf(), entry.leaf(), out));
    }

    private void requireZippable(CatalogService.OpenEntry entry, String name) throws IOException {
        if (zipBound.exceededBy(zipBound.count(entry.parent(), entry.leaf()))) {
            throw new RequestRejectedException(413, "too_many_entries_for_zip", "'" + name + "' holds more than "
                    + zipBound.maxEntries() + " entries, the most this receiver builds a zip of with its heap of "
                    + ZipEntryBound.heapMib() + " MiB (a zip's central directory, at its end, lists every entry):"
                    + " download it as a tar.zst (GET /parcels/tar-zst?name=), which streams any number of entries",
                    Map.of("max_entries", zipBound.maxEntries()));
        }
    }

    /** {@code GET /parcels/tar-zst?name=}: the published folder or file as one tar.zst archive, streamed as it is built. */
    public void tarZst(Exchange exchange) throws Exception {
        archive(exchange, ".tar.zst", "application/zstd", (entry, name) -> { }, (entry, leftOut, out) -> {
            try (OutputStream zstd = Codecs.byName("zstd").compressor(new NonClosingOutputStream(out), 3)) {
                new TarTreeWriter(ProgressListener.NONE, leftOut, false, io.caravan.pack.SourceReads.confined()).write(entry.parent(), entry.leaf(), entry.leaf(), zstd);
            }
        });
    }

    /** Writes an archive of {@code entry}, leaving out (through {@code leftOut}) what holds a name that is not UTF-8. */
    @FunctionalInterface
    private interface ArchiveWriter {
        void write(CatalogService.OpenEntry entry, LeftOutNames leftOut, OutputStream out) throws IOException;
    }

    @FunctionalInterface
    private interface ArchiveCheck {
        void check(CatalogService.OpenEntry entry, String name) throws IOException;
    }

    private void archive(Exchange exchange, String suffix, String type, ArchiveCheck check, ArchiveWriter writer) throws Exception {
        handle(exchange, () -> {
            String name = QueryParameters.nonEmpty(exchange, "name");
            CatalogService.OpenEntry entry = service.entry(name);
            try {
                check.check(entry, name);
            } catch (IOException | RuntimeException e) {
                entry.close();
                throw e;
            }
            ArchivePipe body = archives.answer(exchange, "caravan-archive-" + entry.leaf(), type, out -> {
                LeftOutNames leftOut = new LeftOutNames();
                writer.write(entry, leftOut, out);
                leftOut.report(name);
            }, entry);
            String file = entry.leaf() + suffix;
            body.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\""
                    + file.replaceAll("[^A-Za-z0-9._ -]", "_") + "\"; filename*=UTF-8''"
                    + java.net.URLEncoder.encode(file, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        });
    }

    /** Serves a request with the token; a failure is thrown, and answered by the routes' error configuration. */
    private void handle(Exchange exchange, Action action) throws Exception {
        token.require(exchange.getMessage().getHeader("Authorization", String.class));
        action.run();
    }

    /**
     * Makes {@code response} the answer of {@code exchange}: {@code length} bytes (unknown, -1: chunked) of
     * {@code type}; 503 {@code busy} (thrown, {@code response} closed) when the {@link AnswerMemory} has no room for it.
     */
    static DefaultHttpResponse answer(Exchange exchange, PieceAnswer response, long length, String type) throws Exception {
        AnswerMemory.admit(exchange, response);
        if (length < 0) {
            response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, io.netty.handler.codec.http.HttpHeaderValues.CHUNKED);
        } else {
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        AnswerConnection.send(exchange, response);
        return response;
    }



    private static void json(Exchange exchange, int status, Map<String, Object> body) throws JsonProcessingException {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(body == null ? "" : JSON.writeValueAsString(body));
    }
}
