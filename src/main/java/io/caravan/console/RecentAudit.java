package io.caravan.console;

import io.caravan.audit.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The console's windows on the audit trail, kept in memory as events are recorded: the last
 * {@code rows} publishes, the last {@code rows} failures (rejections and authentication failures) and
 * the {@code rows} mirrors changed last, each window apart, so that no number of failures pushes a
 * publish out of view; and the starts of the last {@value #STARTS} sessions, which give a publish its
 * duration. Fed with each event the trail records (and, at start, with the trail's tail), it costs the
 * overview a copy of its windows, whatever the size of the trail. Safe from any thread.
 */
public final class RecentAudit implements Consumer<AuditEvent> {

    /** How many session starts are kept to time the publishes that follow them. */
    static final int STARTS = 1000;

    private final int rows;
    private final Deque<AuditDigest.Transfer> transfers = new ArrayDeque<>();
    private final Deque<AuditDigest.Failure> failures = new ArrayDeque<>();
    private final Map<String, AuditDigest.Mirror> mirrors = new LinkedHashMap<>();
    private final Map<String, Instant> starts = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > STARTS;
        }
    };

    /** Windows of at most {@code rows} each. */
    public RecentAudit(int rows) {
        this.rows = rows;
    }

    /** Takes one event in, in the order the trail recorded them. */
    @Override
    public synchronized void accept(AuditEvent event) {
        if (event.event() == null) {
            return;
        }
        switch (event.event()) {
            case AuditEvent.SESSION_START -> {
                Instant time = instant(event.time());
                if (event.session() != null && time != null) {
                    starts.put(event.session(), time);
                }
            }
            case AuditEvent.PUBLISH -> keep(transfers, transfer(event, starts.get(String.valueOf(event.session()))));
            case AuditEvent.REJECTION, AuditEvent.AUTH_FAILURE -> keep(failures, new AuditDigest.Failure(event.time(),
                    event.event(), event.name(), event.session(), event.client(), event.result(), event.count()));
            case AuditEvent.MIRROR_CHANGE -> {
                String name = String.valueOf(event.name());
                AuditDigest.Mirror before = mirrors.remove(name);
                mirrors.put(name, new AuditDigest.Mirror(name, event.time(), before == null ? 1 : before.changes() + 1));
                if (mirrors.size() > rows) {
                    mirrors.remove(mirrors.keySet().iterator().next());
                }
            }
            default -> {
            }
        }
    }

    /** Takes in {@code events}, oldest first. */
    public void acceptAll(List<AuditEvent> events) {
        events.forEach(this);
    }

    /** The windows as they are now, each newest first. */
    public synchronized AuditDigest digest() {
        return new AuditDigest(newest(transfers), newest(failures), newest(mirrors.values()));
    }

    private <T> void keep(Deque<T> window, T item) {
        window.addLast(item);
        if (window.size() > rows) {
            window.removeFirst();
        }
    }

    private static AuditDigest.Transfer transfer(AuditEvent publish, Instant start) {
        Instant end = instant(publish.time());
        Long duration = start == null || end == null ? publish.durationMs() : Long.valueOf(Duration.between(start, end).toMillis());
        return new AuditDigest.Transfer(publish.time(), publish.name(), publish.session(), publish.files(), publish.bytes(),
                publish.sha256(), duration, publish.client(), publish.result());
    }

    /** An event's time, or null for a line whose time is not one (a hand-edited file). */
    private static Instant instant(String time) {
        try {
            return time == null ? null : Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static <T> List<T> newest(java.util.Collection<T> oldestFirst) {
        List<T> list = new ArrayList<>(oldestFirst);
        Collections.reverse(list);
        return list;
    }
}
