package io.caravan.session;

import io.caravan.CaravanException;
import java.util.Map;

/** A request refused for a reason with its own HTTP status (bad index, too large, disk full, ...). */
public class RequestRejectedException extends CaravanException {

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public RequestRejectedException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public RequestRejectedException(int status, String code, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
    }

    @Override
    public int httpStatus() {
        return status;
    }

    @Override
    public String code() {
        return code;
    }

    @Override
    public Map<String, Object> details() {
        return details;
    }

    public static RequestRejectedException badRequest(String message) {
        return new RequestRejectedException(400, "bad_request", message);
    }
}
