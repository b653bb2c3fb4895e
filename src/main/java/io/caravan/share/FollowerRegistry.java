package io.caravan.share;

import io.caravan.session.RequestRejectedException;
import io.caravan.sync.SyncConsole;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The followers of one share as they connect and leave. A follower (an id and the host it asks from)
 * has connected with its first request and has left once it has neither a poll waiting nor asked
 * anything for {@link #GONE_AFTER}; both are printed, the first {@link #LINES_PER_INTERVAL} lines of each
 * {@link #LINE_INTERVAL}, the rest summed in one line when the interval ends (a client making up follower
 * ids costs the console a bounded number of lines, as {@code receiver/AuthFailureLog} bounds wrong logins). At most {@code max} followers are kept (the bound
 * is given with each request): a new one past it takes the place of the one silent longest without a
 * poll waiting, which is said to have left; when every one has a poll waiting, the new one's request is
 * answered 503 {@code busy}. A follower that names itself has at most {@link #MAX_POLLS} polls waiting at
 * once; one more is answered 429 {@code too_many_polls} (clients that name themselves not are one follower
 * per host, bounded only by the share's bound on polls waiting). So whatever ids clients make up, the registry holds at most
 * {@code max} followers. Its monitor guards its state.
 */
final class FollowerRegistry {

    /** How long a follower that is not waiting may stay silent before it counts as gone. */
    static final Duration GONE_AFTER = Duration.ofSeconds(10);
    /** The most polls one follower has waiting at once (a follower polls one at a time). */
    static final int MAX_POLLS = 4;
    /** The interval over which the console lines of followers connecting and leaving are bounded. */
    static final Duration LINE_INTERVAL = Duration.ofMinutes(1);
    /** The most lines of followers connecting or leaving printed one by one in an interval. */
    static final int LINES_PER_INTERVAL = 10;

    /** One follower: its id as shown (its host when it names itself not) and its host. */
    record Follower(String id, String address) {
        /** Whether it named itself ({@code X-Caravan-Follower}); else it stands for every client of its host. */
        boolean named() {
            return !id.equals(address);
        }

        String shown() {
            return named() ? id + " (" + address + ")" : id;
        }
    }

    private static final class Seen {
        final long connected = System.nanoTime();
        long last = connected;
        int polls;
    }

    private final String share;
    private final SyncConsole console;
    /** In access order: the follower seen least recently first. */
    private final Map<Follower, Seen> followers = new LinkedHashMap<>(16, 0.75f, true);
    /** When the interval of {@link #linesPrinted} began ({@link System#nanoTime}). */
    private long linesSince = System.nanoTime();
    private int linesPrinted;
    private long moreConnected;
    private long moreLeft;

    FollowerRegistry(String share, SyncConsole console) {
        this.share = share;
        this.console = console;
    }

    /**
     * Notes a request of {@code who}: a poll beginning ({@code poll}) or another request. A follower not
     * kept yet is taken in, within {@code max} followers; a 429 or 503 answer (see above) when it cannot be.
     */
    synchronized void seen(Follower who, boolean poll, int max) {
        Seen seen = followers.get(who);
        if (seen == null) {
            if (followers.size() >= max && !makeRoom()) {
                throw new RequestRejectedException(503, "busy", "share '" + share + "' has its most followers, each with a"
                        + " poll waiting (caravan.share.max-followers=" + max + "): try again shortly");
            }
            seen = new Seen();
            followers.put(who, seen);
            if (line(seen.connected)) {
                console.line("Follower " + who.shown() + " connected to '" + share + "'");
            } else {
                moreConnected++;
            }
        }
        if (poll && seen.polls >= MAX_POLLS && who.named()) {
            throw new RequestRejectedException(429, "too_many_polls", "follower " + who.id() + " already has " + seen.polls
                    + " polls of share '" + share + "' waiting, the most one follower has: wait for their answers (a"
                    + " follower polls one at a time)");
        }
        seen.last = System.nanoTime();
        if (poll) {
            seen.polls++;
        }
    }

    /** A poll of {@code who} was answered (or its client hung up). */
    synchronized void pollEnded(Follower who) {
        Seen seen = followers.get(who);
        if (seen != null) {
            seen.polls = Math.max(0, seen.polls - 1);
            seen.last = System.nanoTime();
        }
    }

    /** Forgets, saying so, the followers with no poll waiting that were silent for {@link #GONE_AFTER}. */
    synchronized void forgetSilent(long now) {
        followers.entrySet().removeIf(entry -> {
            Seen seen = entry.getValue();
            if (seen.polls > 0 || now - seen.last < GONE_AFTER.toNanos()) {
                return false;
            }
            left(entry.getKey(), now);
            return true;
        });
        endInterval(now); // an interval that ended is summed now, not at the next line
    }

    /** How many followers are kept now. */
    synchronized int size() {
        return followers.size();
    }

    /** The followers as shown (with the host when it differs from the id), the most recently connected first. */
    synchronized List<String> shown() {
        return followers.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<Follower, Seen> f) -> f.getValue().connected).reversed())
                .map(f -> f.getKey().shown())
                .toList();
    }

    /** Forgets the follower silent longest without a poll waiting; false when every one has a poll waiting. */
    private boolean makeRoom() {
        Iterator<Map.Entry<Follower, Seen>> oldest = followers.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<Follower, Seen> entry = oldest.next();
            if (entry.getValue().polls == 0) {
                oldest.remove();
                left(entry.getKey(), System.nanoTime());
                return true;
            }
        }
        return false;
    }

    private void left(Follower f, long now) {
        if (line(now)) {
            console.line("Follower " + f.id() + " left '" + share + "'");
        } else {
            moreLeft++;
        }
    }

    /**
     * Whether a line may be printed one by one at {@code now} (counting it); first prints the sum of the interval
     * before when {@code now} is past it.
     */
    private boolean line(long now) {
        endInterval(now);
        if (linesPrinted < LINES_PER_INTERVAL) {
            linesPrinted++;
            return true;
        }
        return false;
    }

    /** When {@code now} is past the interval of the lines printed, prints its sum (if any) and begins the next. */
    private void endInterval(long now) {
        if (now - linesSince >= LINE_INTERVAL.toNanos()) {
            if (moreConnected > 0 || moreLeft > 0) {
                console.line("Followers of '" + share + "': " + moreConnected + " more connected and " + moreLeft
                        + " left in the last minute, not printed one by one");
            }
            linesSince = now;
            linesPrinted = 0;
            moreConnected = 0;
            moreLeft = 0;
        }
    }
}
