package io.caravan.unpack;

import io.caravan.CaravanException;

/** The destination already holds an entry of that name and the conflict policy is {@code fail}. */
public class PublishConflictException extends CaravanException {

    public PublishConflictException(String message) {
        super(message);
    }

    @Override
    public int httpStatus() {
        return 409;
    }

    @Override
    public String code() {
        return "publish_conflict";
    }
}
