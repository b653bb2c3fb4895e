package io.caravan.catalog;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One published parcel as the catalog records it: its path in the inbox, {@code file} or
 * {@code folder}, what the publish wrote, when, the codec it travelled with, {@code generation},
 * which grows by one each time the receiver publishes that name again, and {@code sha256}: the digest
 * the publish verified (of the whole sent stream; of the file itself for a raw upload; null in records
 * written before it was kept).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PublishedParcel(
        @JsonProperty("name") String name,
        @JsonProperty("kind") String kind,
        @JsonProperty("files") long files,
        @JsonProperty("bytes") long bytes,
        @JsonProperty("published_at") String publishedAt,
        @JsonProperty("codec") String codec,
        @JsonProperty("generation") long generation,
        @JsonProperty("sha256") String sha256) {

    public static final String FILE = "file";
    public static final String FOLDER = "folder";
}
