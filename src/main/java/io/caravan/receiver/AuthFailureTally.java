package io.caravan.receiver;

import io.caravan.audit.AuditEvent;
import io.caravan.audit.AuditText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums up authentication failures so that a client without the token costs the audit trail a bounded
 * number of lines, however many requests it sends. Within one interval, the first failure of each client
 * address is a line of its own at once; the later ones are counted, and when the interval ends each
 * client with failures counted gets one line whose {@code count} says how many (its {@code name} the last
 * path it asked for). At most {@value #MAX_CLIENTS} addresses are told apart in an interval; the failures
 * of any further ones are summed up in one line without a client. So an interval costs at most two lines
 * per address told apart and one more, each bounded by {@link AuditText}.
 */
final class AuthFailureTally {

    /** How many client addresses one interval tells apart. */
    static final int MAX_CLIENTS = 1024;
    /** The interval unless told otherwise ({@code caravan.receiver.audit.auth-failure-interval}). */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private static final String OTHERS = "";

    private final Duration interval;
    private final Clock clock;
    private final Map<String, Counted> counted = new LinkedHashMap<>();
    private Instant ends;

    private static final class Counted {
        long count;
        String name;
        String result;
    }

    AuthFailureTally(Duration interval, Clock clock) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the interval of authentication failures must be positive, was " + interval);
        }
        this.interval = interval;
        this.clock = clock;
    }

    /**
     * One authentication failure of {@code client} for {@code name} answered {@code result}: the lines to
     * write now, oldest first (the sums of an interval that ended, then this failure when it is its
     * client's first in the interval).
     */
    synchronized List<AuditEvent> failed(String client, String name, String result) {
        List<AuditEvent> lines = due(clock.instant());
        if (ends == null) {
            ends = clock.instant().plus(interval);
        }
        String key = client == null ? OTHERS : client;
        Counted known = counted.get(key);
        if (known == null && counted.size() >= MAX_CLIENTS) {
            key = OTHERS;
            known = counted.get(key);
        }
        if (known == null) {
            counted.put(key, new Counted());
            if (!key.equals(OTHERS)) {
                lines.add(AuditEvent.of(AuditEvent.AUTH_FAILURE).client(client).name(AuditText.bounded(name)).result(result));
                return lines;
            }
            known = counted.get(key);
        }
        known.count++;
        known.name = name;
        known.result = result;
        return lines;
    }

    /** The sums of an interval that has ended, to be written now (a timer asks, so none waits for the next failure). */
    synchronized List<AuditEvent> due() {
        return due(clock.instant());
    }

    /** The sums of every client counted so far, to be written now whether their interval has ended or not. */
    synchronized List<AuditEvent> all() {
        return due(Instant.MAX);
    }

    private List<AuditEvent> due(Instant now) {
        List<AuditEvent> lines = new ArrayList<>();
        if (ends == null || now.isBefore(ends)) {
            return lines;
        }
        counted.forEach((client, sum) -> {
            if (sum.count > 0) {
                lines.add(AuditEvent.of(AuditEvent.AUTH_FAILURE).client(client.equals(OTHERS) ? null : client)
                        .name(AuditText.bounded(sum.name)).result(sum.result).count(sum.count));
            }
        });
        counted.clear();
        ends = null;
        return lines;
    }
}
