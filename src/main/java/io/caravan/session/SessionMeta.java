package io.caravan.session;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a session was started with, stored as {@code meta.json} beside its chunks. {@code kind} is
 * {@code raw} (chunks are concatenated into one file, seed 002) or {@code archive} (chunks form a
 * Caravan tar stream that is extracted).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionMeta(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("kind") String kind,
        @JsonProperty("codec") String codec,
        @JsonProperty("chunk_size") Long chunkSize,
        @JsonProperty("on_conflict") String onConflict,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("expires_at") String expiresAt) {

    public static final String RAW = "raw";
    public static final String ARCHIVE = "archive";

    public boolean archive() {
        return ARCHIVE.equals(kind);
    }
}
