package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The one reader of the receiver's query parameters (inbox, catalog, shares, audit). netty-http puts each
 * parameter in a header of its name, a repeated one as a list of its values, and leaves the values as sent
 * ('/' arrives as %2F): a value is percent-decoded here, and a parameter given twice is refused with 400
 * {@code bad_request} ({@code "?name= is given twice"}) instead of becoming the text of that list
 * ({@code "[a, b]"}), which names something the client never named.
 */
public final class QueryParameters {

    private QueryParameters() {
    }

    /** The parameter's value, percent-decoded; {@code null} when absent; 400 when given twice. */
    public static String value(Exchange exchange, String name) {
        Object raw = exchange.getMessage().getHeader(name);
        if (raw instanceof Collection<?> values) {
            if (values.size() > 1) {
                throw RequestRejectedException.badRequest("?" + name + "= is given twice: give it once");
            }
            raw = values.isEmpty() ? null : values.iterator().next();
        }
        return raw == null ? null : URLDecoder.decode(raw.toString(), StandardCharsets.UTF_8);
    }

    /** As {@link #value}, but an empty value is {@code null} (the parameter's default applies). */
    public static String nonEmpty(Exchange exchange, String name) {
        String value = value(exchange, name);
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * The value for a record of the request (the audit trail's note), never refusing: {@code null} when absent,
     * given twice or not decodable; the handler that reads the parameter answers those.
     */
    public static String forRecord(Message in, String name) {
        Object raw = in.getHeader(name);
        if (raw == null || raw instanceof Collection<?>) {
            return null;
        }
        try {
            return URLDecoder.decode(raw.toString(), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw.toString();
        }
    }
}
