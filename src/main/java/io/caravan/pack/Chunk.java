package io.caravan.pack;

/**
 * A chunk of a parcel's compressed stream held in memory: the unit a route ships. {@code last} is
 * true on the final chunk of the stream.
 */
public record Chunk(String parcel, int index, byte[] data, String sha256, boolean last) {

    public int size() {
        return data.length;
    }

    Chunk asLast() {
        return new Chunk(parcel, index, data, sha256, true);
    }

    @Override
    public String toString() {
        return "Chunk[" + parcel + " #" + index + ", " + data.length + " bytes" + (last ? ", last" : "") + "]";
    }
}
