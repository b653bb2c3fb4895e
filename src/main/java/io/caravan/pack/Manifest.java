package io.caravan.pack;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Describes one packed parcel (DESIGN §2): codec, chunking, per-chunk and whole-stream SHA-256.
 * A superset of seed 001's metadata ({@code version}, {@code total_chunks}, {@code chunks}).
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
        @JsonProperty("chunks") List<ChunkInfo> chunks) {

    public static final String VERSION = "1.0";
    public static final String FORMAT = "caravan/1";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public Manifest {
        chunks = chunks == null ? List.of() : List.copyOf(chunks);
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
            if (c.checksum() == null || c.checksum().length() != 64) {
                throw new ManifestException("chunk " + ChunkInfo.label(i) + " has no valid SHA-256 checksum");
            }
            sum += c.size();
        }
        if (sum != totalSize) {
            throw new ManifestException("total_size is " + totalSize + " but the chunks add up to " + sum);
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
            return JSON.readValue(json, Manifest.class);
        } catch (JsonProcessingException e) {
            throw new ManifestException("manifest is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static Manifest read(Path file) throws IOException {
        try {
            return fromJson(Files.readString(file, StandardCharsets.UTF_8)).validate();
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
