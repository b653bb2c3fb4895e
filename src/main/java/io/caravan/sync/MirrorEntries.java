package io.caravan.sync;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** The answer to {@code GET /mirror}: the mirror's name and its entries (none while it does not exist). */
@JsonPropertyOrder({"name", "entries"})
public record MirrorEntries(String name, List<MirrorEntry> entries) {
}
