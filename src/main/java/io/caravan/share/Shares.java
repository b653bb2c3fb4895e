package io.caravan.share;

import io.caravan.session.RequestRejectedException;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncEntry;
import io.caravan.util.DataSize;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shares of a server, by name, with the followers that read them ({@link FollowerRegistry}, one a
 * share: a follower is named by its {@code X-Caravan-Follower} header, cut to {@link #MAX_FOLLOWER_ID}
 * printable characters, else its address; at most {@link #maxFollowers} a share). Waiting polls are
 * futures timed out by one scheduler thread, never a thread each; at most {@link #maxWaiting} wait on one
 * share, and a poll whose client hangs up is let go at once. Logs live in {@code <state>/shares/<name>/}.
 */
public final class Shares implements AutoCloseable {

    /** The longest follower id kept: a longer {@code X-Caravan-Follower} is cut to this many characters. */
    static final int MAX_FOLLOWER_ID = 128;
    /** The most polls waiting on one share by default ({@code caravan.share.max-waiting}). */
    public static final int MAX_WAITING = 2_000;
    /** The most followers one share keeps by default ({@code caravan.share.max-followers}). */
    public static final int MAX_FOLLOWERS = 10_000;

    private final Map<String, Share> shares = new LinkedHashMap<>();
    private final Map<String, FollowerRegistry> followers = new LinkedHashMap<>();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "caravan-share-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile int maxWaiting = MAX_WAITING;
    private volatile int maxFollowers = MAX_FOLLOWERS;
    private final SyncConsole console;
    private final AtomicLong bytesServed = new AtomicLong();

    /** The shares {@code folders} (name to folder), logs in {@code stateDir/shares}, changes printed on {@code console}. */
    public Shares(Map<String, Path> folders, Path stateDir, int keep, Duration settle, Duration rescan, SyncConsole console)
            throws IOException {
        this(folders, stateDir, keep, settle, rescan, console, Share.defaultMaxEntries());
    }

    /** As above, each share taking at most {@code maxEntries} entries (a larger folder fails its scans, saying so). */
    public Shares(Map<String, Path> folders, Path stateDir, int keep, Duration settle, Duration rescan, SyncConsole console,
                  int maxEntries) throws IOException {
        this.console = console;
        for (Map.Entry<String, Path> folder : folders.entrySet()) {
            String name = folder.getKey();
            Share.checkName(name); // before anything is made for it
            // below the folder holding the state folder: a link planted as the state folder or below it is refused
            Path state = stateDir.toAbsolutePath().normalize();
            ShareLog log = ShareLog.open(name, state.getParent(), state.getFileName() + "/shares/" + name, keep);
            shares.put(name, new Share(name, folder.getValue(), log, settle, rescan, maxEntries, event -> printChange(name, event)));
            followers.put(name, new FollowerRegistry(name, console));
        }
        timer.setRemoveOnCancelPolicy(true); // a poll answered early leaves nothing behind in the timer's queue
        timer.scheduleWithFixedDelay(this::forgetSilent, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Bounds each share to {@code maxWaiting} polls waiting (one more is answered 503 {@code busy}) and
     * {@code maxFollowers} followers kept ({@link FollowerRegistry}).
     */
    public Shares bounded(int maxWaiting, int maxFollowers) {
        if (maxWaiting < 1 || maxFollowers < 1) {
            throw new IllegalArgumentException("caravan.share.max-waiting and caravan.share.max-followers must be 1 or more, not "
                    + maxWaiting + " and " + maxFollowers);
        }
        this.maxWaiting = maxWaiting;
        this.maxFollowers = maxFollowers;
        return this;
    }

    /** Scans and starts watching every share; prints each with the URLs followers use ({@code bases}: the server's). */
    public void start(List<String> bases) throws IOException {
        for (Share share : shares.values()) {
            share.start();
            console.line("Sharing '" + share.name() + "': " + share.root() + " (" + share.log().listing().entries().size()
                    + " entries, change " + share.log().latest() + ")");
            if (share.failure() != null) {
                console.line("  FAILING: " + share.failure());
            }
            for (String base : bases) {
                console.line("  follow it with: caravan sync --from " + base + "/shares/" + share.name() + " <dir>");
            }
        }
    }

    /** The server's URLs: its address, or every address of this machine when it listens on all of them. */
    public static List<String> addresses(String scheme, String host, int port) {
        List<String> hosts = new ArrayList<>();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                    for (java.net.InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                        if (address instanceof java.net.Inet4Address && nic.isUp()) {
                            hosts.add(address.getHostAddress());
                        }
                    }
                }
            } catch (java.net.SocketException e) {
                hosts.add(host);
            }
        } else {
            hosts.add(host);
        }
        return hosts.stream().map(h -> scheme + "://" + h + ":" + port).toList();
    }

    public Collection<Share> all() {
        return shares.values();
    }

    /** The share {@code name}; a 404 answer when there is none. */
    public Share get(String name) {
        Share share = name == null ? null : shares.get(name);
        if (share == null) {
            throw new RequestRejectedException(404, "not_found", "no share named '" + name + "' here (GET /shares lists them)");
        }
        return share;
    }

    /**
     * Each share's name with its followers now (their names, and the host when it differs), the most
     * recently connected first, in share order.
     */
    public Map<String, List<String>> followersByShare() {
        Map<String, List<String>> named = new LinkedHashMap<>();
        followers.forEach((share, registry) -> named.put(share, registry.shown()));
        return named;
    }

    /** {@code GET /shares}. */
    public Map<String, Object> describe() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Share share : shares.values()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", share.name());
            one.put("entries", share.log().listing().entries().size());
            one.put("latest", share.log().latest());
            one.put("kept", share.log().size());
            one.put("waiting", share.log().waiting());
            one.put("followers", followers.get(share.name()).size());
            if (share.failure() != null) {
                one.put("error", share.failure());
            }
            list.add(one);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("shares", list);
        body.put("bytes_served", bytesServed.get());
        return body;
    }

    /** The shares whose last scan failed, by name, with why (none while all record their changes). */
    public Map<String, String> failing() {
        Map<String, String> failing = new LinkedHashMap<>();
        shares.values().stream().filter(share -> share.failure() != null).forEach(share -> failing.put(share.name(), share.failure()));
        return failing;
    }

    /**
     * The events of {@code share} after {@code since}, as soon as there are any or after {@code timeout}
     * (then none): a future, completed by the share's log or by the timer. A 503 {@code share_failing}
     * answer, with the reason, while the share records no changes ({@link Share#failure}); 503 {@code busy}
     * when {@link #maxWaiting} polls wait on it already; 429 {@code too_many_polls} when this follower has
     * its most waiting ({@link FollowerRegistry}).
     */
    public CompletableFuture<List<ShareEvent>> await(Share share, long since, Duration timeout, String follower, String address) {
        return await(share, since, timeout, follower, address, new CompletableFuture<>());
    }

    /**
     * As above, the poll let go at once (answered with no events, its place freed) when {@code hungUp}
     * completes: its client has gone.
     */
    public CompletableFuture<List<ShareEvent>> await(Share share, long since, Duration timeout, String follower, String address,
                                                     CompletionStage<?> hungUp) {
        String failing = share.failure();
        if (failing != null) {
            throw new RequestRejectedException(503, "share_failing", failing);
        }
        FollowerRegistry registry = followers.get(share.name());
        FollowerRegistry.Follower who = follower(follower, address);
        registry.seen(who, true, maxFollowers);
        CompletableFuture<List<ShareEvent>> waiter;
        try {
            waiter = share.log().await(since, maxWaiting);
        } catch (RuntimeException e) {
            registry.pollEnded(who);
            throw e;
        }
        if (!waiter.isDone()) {
            ScheduledFuture<?> timedOut = timer.schedule(() -> share.log().expire(waiter), Math.max(0, timeout.toMillis()),
                    TimeUnit.MILLISECONDS);
            waiter.whenComplete((events, failure) -> timedOut.cancel(false));
            hungUp.thenRun(() -> share.log().expire(waiter));
        }
        return waiter.whenComplete((events, failure) -> registry.pollEnded(who));
    }

    /** Notes a request of a follower that is not a poll. */
    public void touch(String share, String follower, String address) {
        followers.get(share).seen(follower(follower, address), false, maxFollowers);
    }

    /** Answers every waiting poll at once, with no events: a stopping server does not wait for their timeouts. */
    public void release() {
        shares.values().forEach(share -> share.log().release());
    }

    public void served(long bytes) {
        bytesServed.addAndGet(bytes);
    }

    private static FollowerRegistry.Follower follower(String follower, String address) {
        // the address without its port: a client that names itself not is one follower per host, not per connection
        String host = address == null ? "?" : address.replaceFirst("^[^/]*/", "").replaceFirst(":\\d+$", "");
        return new FollowerRegistry.Follower(follower == null || follower.isBlank() ? host : followerId(follower), host);
    }

    /** A follower's id as kept and shown: printable ASCII ('?' for anything else), at most {@link #MAX_FOLLOWER_ID} characters. */
    static String followerId(String header) {
        String cut = header.length() > MAX_FOLLOWER_ID ? header.substring(0, MAX_FOLLOWER_ID) : header;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private void forgetSilent() {
        long now = System.nanoTime();
        followers.values().forEach(registry -> registry.forgetSilent(now));
    }

    private void printChange(String name, ShareEvent event) {
        String share = event.path() == null ? "" : event.path();
        String line = switch (event.type()) {
            case RENAME -> "RENAME " + event.from() + " -> " + share;
            case RESET -> "RESET (the last tree was not saved: followers compare the whole tree)";
            case DELETE -> "DELETE " + share;
            default -> event.type() + " " + share + (event.entry() != null && event.entry().type() == SyncEntry.Type.DIR
                    ? "/" : event.entry() != null ? " (" + DataSize.format(event.entry().size()) + ")" : "");
        };
        console.line("[" + name + "] #" + event.seq() + " " + line);
    }

    @Override
    public void close() throws IOException {
        timer.shutdownNow();
        IOException first = null;
        for (Share share : shares.values()) {
            try {
                share.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
