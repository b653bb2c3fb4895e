package io.caravan.receiver;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.caravan.session.ChunkWrite;
import java.util.Locale;

/** The answer to {@code PUT /upload/{sid}/{idx}}: the chunk as stored, and whether it was {@code created}, {@code identical} or {@code replaced}. */
@JsonPropertyOrder({"index", "sha256", "size", "stored"})
public record ChunkStored(int index, String sha256, long size, String stored) {

    static ChunkStored of(ChunkWrite write) {
        return new ChunkStored(write.chunk().index(), write.chunk().sha256(), write.chunk().size(),
                write.outcome().name().toLowerCase(Locale.ROOT));
    }
}
