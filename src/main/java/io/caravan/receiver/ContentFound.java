package io.caravan.receiver;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/** The answer to a batch {@code POST /check}: each hash either found (with the file holding it) or missing. */
@JsonPropertyOrder({"found", "missing"})
public record ContentFound(Map<String, StoredContent> found, List<String> missing) {
}
