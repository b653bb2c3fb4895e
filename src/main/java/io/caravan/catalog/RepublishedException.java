package io.caravan.catalog;

import io.caravan.CaravanException;
import java.util.Map;

/** A chunk was asked for with {@code If-Match} naming a manifest that is no longer current: 412. */
public final class RepublishedException extends CaravanException {

    private final String current;

    public RepublishedException(String name, String asked, String current) {
        super("'" + name + "' was published again since manifest " + asked + " (now " + current + "): fetch its manifest"
                + " again and continue with it; chunks with the same SHA-256 are the same bytes");
        this.current = current;
    }

    @Override
    public int httpStatus() {
        return 412;
    }

    @Override
    public String code() {
        return "republished";
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("etag", current);
    }
}
