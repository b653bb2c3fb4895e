package io.caravan.receiver;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A published file found by its content for {@code POST /check}: the SHA-256 ({@code id}), its path in the inbox, its size. */
@JsonPropertyOrder({"id", "path", "size"})
public record StoredContent(String id, String path, long size) {
}
