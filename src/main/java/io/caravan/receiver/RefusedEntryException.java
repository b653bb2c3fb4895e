package io.caravan.receiver;

import io.caravan.CaravanException;
import io.caravan.unpack.UnsafeEntryException;
import java.util.Map;

/**
 * The answer to a chunk of a parcel whose extraction refused one of its entries: 422
 * {@code {"error": "refused_entry", "entry": ..., "message": ...}}. Final: the parcel can never be
 * published as it is, so the sender stops at once instead of sending the rest.
 */
public class RefusedEntryException extends CaravanException {

    private final String entry;

    public RefusedEntryException(UnsafeEntryException refusal) {
        super(refusal.getMessage() + "; the rest of this parcel is not taken: stop sending it", refusal);
        this.entry = refusal.entry();
    }

    @Override
    public int httpStatus() {
        return 422;
    }

    @Override
    public String code() {
        return "refused_entry";
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("entry", entry);
    }
}
