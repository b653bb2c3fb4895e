package io.caravan.receiver;

import io.caravan.pack.Manifest;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /finish/{sid}}: the session and the manifest's JSON as sent (null or blank: none, as a raw
 * session may be finished), and the publish options it gives again ({@code publish}, null: none, the
 * session's stored ones hold). The manifest is read and validated by {@link #manifest()} when the finish
 * needs it, after the session was found, so a finish of an unknown or expired session is answered as
 * such whatever its body. {@code asked} says whether its client still waits for the answer (false once its
 * connection closed): a finish waiting for another one's lock stops waiting then.
 */
public record FinishRequest(String sessionId, String manifestJson, PublishOptions publish, BooleanSupplier asked) {

    /** A finish that gives no publish options. */
    public FinishRequest(String sessionId, String manifestJson) {
        this(sessionId, manifestJson, null);
    }

    /** A finish whose client is always there to read its answer. */
    public FinishRequest(String sessionId, String manifestJson, PublishOptions publish) {
        this(sessionId, manifestJson, publish, () -> true);
    }

    /** The validated manifest, or null when none was sent; a {@code ManifestException} when it is not valid. */
    public Manifest manifest() {
        return manifestJson == null || manifestJson.isBlank() ? null : Manifest.fromJson(manifestJson).validate();
    }
}
