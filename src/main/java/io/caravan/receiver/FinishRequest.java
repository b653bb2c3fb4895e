package io.caravan.receiver;

import io.caravan.pack.Manifest;

/** {@code POST /finish/{sid}}: the session and its validated manifest (null for a raw session sent without one). */
public record FinishRequest(String sessionId, Manifest manifest) {
}
