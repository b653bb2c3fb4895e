package io.caravan;

/** Names of the Camel message headers a chunk message carries. */
public final class CaravanHeaders {

    /** Parcel name (String). */
    public static final String PARCEL = "CaravanParcel";
    /** Chunk index from 0 (Integer). */
    public static final String CHUNK_INDEX = "CaravanChunkIndex";
    /** SHA-256 of the chunk body, lowercase hex (String). */
    public static final String CHUNK_SHA256 = "CaravanChunkSha256";
    /** Length of the chunk body in bytes (Integer). */
    public static final String CHUNK_SIZE = "CaravanChunkSize";
    /** True on the last chunk of a parcel (Boolean). */
    public static final String LAST_CHUNK = "CaravanLastChunk";
    /** File name of the chunk in the file transport, {@code <parcel>.partNNNN} (String). */
    public static final String PART_FILE_NAME = "CaravanPartFileName";
    /** The parcel's manifest as JSON, on the last chunk only (String). */
    public static final String MANIFEST = "CaravanManifest";

    private CaravanHeaders() {
    }
}
