package io.caravan.unpack;

import io.caravan.CaravanException;
import java.util.List;
import java.util.Map;

/**
 * A reference entry (dedup) names stored content this receiver does not hold, or no longer holds
 * as those exact bytes: the stored file changed, moved or went away. Nothing is published; the
 * sender sends that file's content instead (details name the hash under {@code references}).
 */
public class ReferenceUnavailableException extends CaravanException {

    private final String sha256;
    private final String reason;

    /** {@code entry}: the archive entry, or null when not known yet; {@code reason} completes "stored content X that ...". */
    public ReferenceUnavailableException(String entry, String sha256, String reason) {
        super((entry == null ? "a reference entry" : "entry '" + entry + "'") + " refers to stored content " + sha256
                + " that " + reason + "; nothing was published. Send the parcel again with that file's content"
                + " (caravan send does this by itself; other clients: without dedup)");
        this.sha256 = sha256;
        this.reason = reason;
    }

    public String sha256() {
        return sha256;
    }

    public String reason() {
        return reason;
    }

    @Override
    public int httpStatus() {
        return 409;
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("references", List.of(sha256));
    }

    @Override
    public String code() {
        return "reference_unavailable";
    }
}
