package io.caravan.pack;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.caravan.fs.NameRules;
import io.caravan.util.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Describes one packed parcel (README "Manifest"): codec, chunking, per-chunk and whole-stream SHA-256.
 * A superset of the original chunker's metadata ({@code version}, {@code total_chunks}, {@code chunks}): read
 * from JSON, a missing {@code total_size} or {@code total_chunks} is derived from the chunks, and a
 * missing whole-stream {@code sha256} stays null (readers then check every chunk but not the whole).
 * Unknown fields are ignored. The fields it knows are read strictly ({@link StrictJson}): a value of another
 * JSON type than its field's, a null where a chunk's index or size or a file's mode belongs, or a field
 * given twice is refused naming the field, never coerced.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        @JsonProperty("version") String version,
        @JsonProperty("format") String format,
        @JsonProperty("name") String name,
        @JsonProperty("codec") String codec,
        @JsonProperty("level") Integer level,
        @JsonProperty("chunk_size") long chunkSize,
        @JsonProperty("total_chunks") int totalChunks,
        @JsonProperty("total_size") long totalSize,
        @JsonProperty("sha256") String sha256,
        @JsonProperty("entries") Long entries,
        @JsonProperty("content_bytes") Long contentBytes,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("chunks") List<ChunkInfo> chunks,
        @JsonProperty("file") FileFacts file) {

    /**
     * The file a raw parcel (one file's bytes as they are, no tar) is made of: its name (one path
     * segment), permission bits and modification time, which a tar entry would have carried.
     */
    public record FileFacts(@JsonProperty("name") String name, @JsonProperty("mode") int mode,
                            @JsonProperty("mtime") String mtime) {
    }

    public static final String VERSION = "1.0";
    public static final String FORMAT = "caravan/1";

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    /** The times ext4 keeps (1901-12-13 to 2446-05-10), in whole days. */
    private static final java.time.Instant EARLIEST_MTIME = java.time.Instant.parse("1902-01-01T00:00:00Z");
    private static final java.time.Instant LATEST_MTIME = java.time.Instant.parse("2446-05-10T00:00:00Z");
    /** Reads strictly ({@link StrictJson}): a value of another JSON type than its field's, or a field given twice, is refused. */
    private static final ObjectMapper JSON = StrictJson.mapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A manifest of a packed (tar) stream. */
    public Manifest(String version, String format, String name, String codec, Integer level, long chunkSize,
                    int totalChunks, long totalSize, String sha256, Long entries, Long contentBytes, String createdAt,
                    List<ChunkInfo> chunks) {
        this(version, format, name, codec, level, chunkSize, totalChunks, totalSize, sha256, entries, contentBytes,
                createdAt, chunks, null);
    }

    public Manifest {
        chunks = chunks == null ? List.of() : List.copyOf(chunks);
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
    }

    /** From JSON: what the original chunker's metadata leaves out is derived ({@code total_size}, {@code total_chunks}) or left null. */
    @JsonCreator
    static Manifest fromFields(
            @JsonProperty("version") String version,
            @JsonProperty("format") String format,
            @JsonProperty("name") String name,
            @JsonProperty("codec") String codec,
            @JsonProperty("level") Integer level,
            @JsonProperty("chunk_size") Long chunkSize,
            @JsonProperty("total_chunks") Integer totalChunks,
            @JsonProperty("total_size") Long totalSize,
            @JsonProperty("sha256") String sha256,
            @JsonProperty("entries") Long entries,
            @JsonProperty("content_bytes") Long contentBytes,
            @JsonProperty("created_at") String createdAt,
            @JsonProperty("chunks") List<ChunkInfo> chunks,
            @JsonProperty("file") FileFacts file) {
        List<ChunkInfo> list = chunks == null ? List.of() : chunks;
        if (chunks != null && chunks.contains(null)) { // List.of() refuses contains(null)
            throw new ManifestException("the chunk list holds an empty entry");
        }
        long sum = 0;
        for (ChunkInfo chunk : list) {
            sum += chunk.size();
        }
        return new Manifest(version, format, name, codec, level, chunkSize == null ? 0 : chunkSize,
                totalChunks == null ? list.size() : totalChunks, totalSize == null ? sum : totalSize,
                sha256, entries, contentBytes, createdAt, list, file);
    }

    /** Whether the whole-stream SHA-256 is known (the original chunker's metadata has none): readers check it only then. */
    public boolean hasStreamSha256() {
        return sha256 != null;
    }

    /** Checks the fields a reader relies on; the message names the first problem. */
    public Manifest validate() {
        if (totalChunks != chunks.size()) {
            throw new ManifestException("total_chunks is " + totalChunks + " but " + chunks.size() + " chunks are listed");
        }
        long sum = 0;
        for (int i = 0; i < chunks.size(); i++) {
            ChunkInfo c = chunks.get(i);
            if (c.index() != i) {
                throw new ManifestException("chunk list is not in index order at position " + i + " (index " + c.index() + ")");
            }
            if (c.checksum() == null || !HEX64.matcher(c.checksum()).matches()) {
                throw new ManifestException("chunk " + ChunkInfo.label(i) + " has no valid SHA-256 checksum");
            }
            if (c.size() < 0) {
                throw new ManifestException("chunk " + ChunkInfo.label(i) + " has a negative size " + c.size());
            }
            sum += c.size();
        }
        if (sum != totalSize) {
            throw new ManifestException("total_size is " + totalSize + " but the chunks add up to " + sum);
        }
        if (sha256 != null && !HEX64.matcher(sha256).matches()) {
            throw new ManifestException("sha256 '" + sha256 + "' is not a SHA-256 in hex (64 digits)");
        }
        if (file != null) {
            String problem = file.name() == null ? "is missing" : file.name().contains("/") ? "must be one name, without '/'"
                    : NameRules.segmentProblem(file.name());
            if (problem != null) {
                throw new ManifestException("file.name '" + NameRules.printable(String.valueOf(file.name())) + "': " + problem);
            }
            if (file.mode() < 0 || file.mode() > 07777) {
                throw new ManifestException("file.mode " + file.mode() + " is not a permission mode (0 to 07777)");
            }
            java.time.Instant mtime;
            try {
                mtime = java.time.Instant.parse(String.valueOf(file.mtime()));
            } catch (java.time.format.DateTimeParseException e) {
                throw new ManifestException("file.mtime '" + file.mtime() + "' is not a UTC time such as 2024-05-06T07:08:09Z");
            }
            if (mtime.isBefore(EARLIEST_MTIME) || !mtime.isBefore(LATEST_MTIME)) {
                throw new ManifestException("file.mtime '" + file.mtime() + "' is outside the times a file keeps exactly"
                        + " (1902-01-01 to 2446-05-09): it would be stored as another time");
            }
        }
        return this;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("manifest cannot be written as JSON", e);
        }
    }

    public static Manifest fromJson(String json) {
        try {
            return parse(() -> JSON.readValue(json, Manifest.class));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a string is never read from a device
        }
    }

    /** Reads one manifest, streaming: what a manifest's JSON may be is told in its own terms. */
    private interface Source {
        Manifest read() throws IOException;
    }

    private static Manifest parse(Source source) throws IOException {
        try {
            Manifest manifest = source.read();
            if (manifest == null) {
                throw new ManifestException("the manifest is JSON null: send the parcel's manifest, a JSON object");
            }
            return manifest;
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof ManifestException refused) {
                throw refused; // a field the JSON holds but the manifest refuses: said in the manifest's own terms
            }
            throw new ManifestException("the manifest does not have a manifest's shape" + where(e), e);
        } catch (JsonProcessingException e) {
            String problem = StrictJson.problem(e);
            if (problem == null) {
                throw notAManifest(e);
            }
            throw new ManifestException("the manifest's " + problem + line(e), e);
        }
    }

    /** {@code e}, a failure that is not one field's, said in the manifest's terms. */
    private static ManifestException notAManifest(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException) {
            if (String.valueOf(e.getOriginalMessage()).startsWith("Unexpected end-of-input")) {
                return new ManifestException("the manifest is not valid JSON: it ends inside a value" + where(e), e);
            }
            return new ManifestException("the manifest does not have a manifest's shape" + where(e)
                    + ": send the parcel's manifest, a JSON object of its fields", e);
        }
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            return new ManifestException("the manifest nests deeper, or holds a longer number or text, than a manifest"
                    + " does" + where(e), e);
        }
        return new ManifestException("the manifest is not valid JSON" + where(e), e);
    }

    /**
     * Where in the JSON a reading failed, in the manifest's terms: the field's JSON pointer when known and
     * the line and column; never the library's own message, which names Java classes and tokens.
     */
    private static String where(JsonProcessingException e) {
        boolean field = e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping && !mapping.getPath().isEmpty();
        return (field ? " at /" + StrictJson.path((com.fasterxml.jackson.databind.JsonMappingException) e) : "") + line(e);
    }

    /** The line and column where a reading failed, if known. */
    private static String line(JsonProcessingException e) {
        return e.getLocation() != null && e.getLocation().getLineNr() > 0
                ? " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")" : "";
    }

    /**
     * The most bytes a manifest file is read from: twice the largest manifest {@code caravan get} fetches
     * (its chunk records are about 120 bytes each: hundreds of thousands of chunks). A larger file is no
     * manifest {@code caravan pack} wrote and is refused before it is read; the JSON is parsed as it is
     * read, so whitespace or a long text takes no heap.
     */
    public static final long MAX_FILE_BYTES = 64L << 20;

    /** Reads and validates the manifest in {@code file}, refusing one larger than {@link #MAX_FILE_BYTES}. */
    public static Manifest read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new ManifestException(file + ": it holds " + size + " bytes, larger than the " + (MAX_FILE_BYTES >> 20)
                    + " MiB a manifest is read from (a manifest of a 1 TiB parcel in 16 MiB chunks takes about 8 MiB):"
                    + " it is not a manifest caravan pack wrote, and it was not read; copy the parcel's manifest again");
        }
        try (InputStream in = org.apache.commons.io.input.BoundedInputStream.builder().setPath(file)
                .setMaxCount(MAX_FILE_BYTES).get()) {
            return parse(() -> JSON.readValue(in, Manifest.class)).validate();
        } catch (ManifestException e) {
            throw new ManifestException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the manifest under a temporary name and renames it into place. */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(toJson().getBytes(StandardCharsets.UTF_8));
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
