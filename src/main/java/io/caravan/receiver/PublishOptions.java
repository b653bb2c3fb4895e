package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import io.caravan.unpack.OnConflict;
import java.util.Locale;

/**
 * The publish options a {@code POST /finish/{sid}?on_conflict=&force=} gives again, in place of those the
 * session was started with (a finish refused because the name is taken is sent again with other ones, without
 * sending the session's chunks again). Checked as {@code /start} checks them, with the same 400 answers; an
 * option the finish does not give (null here) keeps what the session has (so {@code ?force=true} alone does
 * not turn a session started with {@code on_conflict=fail} into one that replaces).
 * Whether the name means "into that folder" is not among them: that is decided when the session starts.
 */
public record PublishOptions(String onConflict, Boolean force) {

    /** The options in a finish's query parameters (as sent, or null); null when it gives neither. */
    static PublishOptions of(String onConflict, String force) {
        if (onConflict == null && force == null) {
            return null;
        }
        if (onConflict != null) {
            checkedOnConflict(onConflict, OnConflict.REPLACE);
        }
        if (force != null && !force.equals("true") && !force.equals("false")) {
            throw RequestRejectedException.badRequest("force must be true or false, not " + force);
        }
        return new PublishOptions(onConflict, force == null ? null : Boolean.valueOf("true".equals(force)));
    }

    /** {@code on_conflict} as a session keeps it: {@code fallback} when none was given; 400 for an unknown policy. */
    static String checkedOnConflict(String given, OnConflict fallback) {
        String onConflict = (given != null ? given : fallback.name()).toLowerCase(Locale.ROOT);
        OnConflict.parse(onConflict);
        return onConflict;
    }
}
