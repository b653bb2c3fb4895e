package io.caravan.pack;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * One chunk's entry in a manifest: its index from 0, its length and the SHA-256 of its bytes (in
 * lower-case hex). Fields other tools add to a chunk entry are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkInfo(
        @JsonProperty("index") int index,
        @JsonProperty("size") long size,
        @JsonProperty("checksum") String checksum) {

    public ChunkInfo {
        checksum = checksum == null ? null : checksum.toLowerCase(Locale.ROOT);
    }

    /** The part number as it appears in file names and messages ({@code 0003}). */
    public static String label(int index) {
        return String.format("%04d", index);
    }
}
