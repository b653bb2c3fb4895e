package io.caravan.session.postgres;

import io.caravan.session.RequestRejectedException;
import java.sql.SQLException;

/**
 * The receiver's database could not be reached (or refused work for the moment): answered 503
 * {@code database_unavailable}, so a sender retries; nothing that was acknowledged before is lost, and
 * requests succeed again by themselves once the database is back.
 */
public final class DatabaseUnavailableException extends RequestRejectedException {

    public DatabaseUnavailableException(String what, SQLException cause) {
        super(503, "database_unavailable", "the receiver's database is unavailable while " + what + " ("
                + cause.getMessage() + "): nothing was changed, retry later");
        initCause(cause);
    }
}
