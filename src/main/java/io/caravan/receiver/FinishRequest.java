package io.caravan.receiver;

import io.caravan.pack.Manifest;

/**
 * {@code POST /finish/{sid}}: the session and the manifest's JSON as sent (null or blank: none, as a raw
 * session may be finished), and the publish options it gives again ({@code publish}, null: none, the
 * session's stored ones hold). The manifest is read and validated by {@link #manifest()} when the finish
 * needs it, after the session was found, so a finish of an unknown or expired session is answered as
 * such whatever its body.
 */
public record FinishRequest(String sessionId, String manifestJson, PublishOptions publish) {

    /** A finish that gives no publish options. */
    public FinishRequest(String sessionId, String manifestJson) {
        this(sessionId, manifestJson, null);
    }

    /** The validated manifest, or null when none was sent; a {@code ManifestException} when it is not valid. */
    public Manifest manifest() {
        return manifestJson == null || manifestJson.isBlank() ? null : Manifest.fromJson(manifestJson).validate();
    }
}
