package io.caravan.session;

import io.caravan.CaravanException;

/** No session has that id (it never existed, was deleted, or was finished and its record is gone). */
public class SessionNotFoundException extends CaravanException {

    public SessionNotFoundException(String id) {
        super("no upload session '" + id + "': start one with POST /start");
    }

    @Override
    public int httpStatus() {
        return 404;
    }

    @Override
    public String code() {
        return "session_not_found";
    }
}
