package io.caravan.session;

import io.caravan.CaravanException;

/** The session outlived its lifetime; its chunks are (or will be) deleted. */
public class SessionExpiredException extends CaravanException {

    public SessionExpiredException(String id, String expiredAt) {
        super("upload session '" + id + "' expired at " + expiredAt + ": start a new session and upload again");
    }

    @Override
    public int httpStatus() {
        return 410;
    }

    @Override
    public String code() {
        return "session_expired";
    }
}
