package io.caravan.share;

import io.caravan.session.RequestRejectedException;
import io.caravan.sync.SyncConsole;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shares of a server, by name, with the followers that read them: a follower (named by its
 * {@code X-Caravan-Follower} header, cut to {@link #MAX_FOLLOWER_ID} printable characters, else its
 * address) has connected with its first request and has
 * left once it has neither a poll waiting nor asked anything for {@link #GONE_AFTER}; both are printed,
 * as is every change. Waiting polls are futures timed out by one scheduler thread, never a thread each.
 * Logs live in {@code <state>/shares/<name>/}.
 */
public final class Shares implements AutoCloseable {

    /** How long a follower that is not waiting may stay silent before it counts as gone. */
    static final Duration GONE_AFTER = Duration.ofSeconds(10);
    /** The longest follower id kept: a longer {@code X-Caravan-Follower} is cut to this many characters. */
    static final int MAX_FOLLOWER_ID = 128;

    private record Follower(String share, String id, String address) {
    }

    private static final class Seen {
        final long connected = System.nanoTime();
        long last = connected;
        int polls;
    }

    private final Map<String, Share> shares = new LinkedHashMap<>();
    private final Map<Follower, Seen> followers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-share-timer");
        t.setDaemon(true);
        return t;
    });
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
        }
        timer.scheduleWithFixedDelay(this::forgetSilent, 1, 1, TimeUnit.SECONDS);
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
        Map<String, List<Map.Entry<Follower, Seen>>> by = new LinkedHashMap<>();
        shares.keySet().forEach(name -> by.put(name, new ArrayList<>()));
        followers.entrySet().forEach(f -> by.computeIfAbsent(f.getKey().share(), k -> new ArrayList<>()).add(f));
        Map<String, List<String>> named = new LinkedHashMap<>();
        by.forEach((share, list) -> named.put(share, list.stream()
                .sorted(java.util.Comparator.comparingLong((Map.Entry<Follower, Seen> f) -> f.getValue().connected).reversed())
                .map(f -> f.getKey().id().equals(f.getKey().address()) ? f.getKey().id()
                        : f.getKey().id() + " (" + f.getKey().address() + ")")
                .toList()));
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
            one.put("followers", followers.keySet().stream().filter(f -> f.share().equals(share.name())).count());
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
     * answer, with the reason, while the share records no changes ({@link Share#failure}).
     */
    public CompletableFuture<List<ShareEvent>> await(Share share, long since, Duration timeout, String follower, String address) {
        String failing = share.failure();
        if (failing != null) {
            throw new RequestRejectedException(503, "share_failing", failing);
        }
        Follower who = seen(share.name(), follower, address, +1);
        CompletableFuture<List<ShareEvent>> waiter;
        try {
            waiter = share.log().await(since);
        } catch (RuntimeException e) {
            seen(share.name(), who.id(), address, -1);
            throw e;
        }
        if (!waiter.isDone()) {
            timer.schedule(() -> share.log().expire(waiter), Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        }
        return waiter.whenComplete((events, failure) -> seen(share.name(), who.id(), address, -1));
    }

    /** Notes a request of a follower that is not a poll. */
    public void touch(String share, String follower, String address) {
        seen(share, follower, address, 0);
    }

    /** Answers every waiting poll at once, with no events: a stopping server does not wait for their timeouts. */
    public void release() {
        shares.values().forEach(share -> share.log().release());
    }

    public void served(long bytes) {
        bytesServed.addAndGet(bytes);
    }

    private Follower seen(String share, String follower, String address, int polls) {
        // the address without its port: a client that names itself not is one follower per host, not per connection
        String host = address == null ? "?" : address.replaceFirst("^[^/]*/", "").replaceFirst(":\\d+$", "");
        Follower who = new Follower(share, follower == null || follower.isBlank() ? host : followerId(follower), host);
        Seen seen = followers.computeIfAbsent(who, f -> {
            console.line("Follower " + f.id() + (f.id().equals(f.address()) ? "" : " (" + f.address() + ")")
                    + " connected to '" + share + "'");
            return new Seen();
        });
        synchronized (seen) {
            seen.last = System.nanoTime();
            seen.polls += polls;
        }
        return who;
    }

    /** A follower's id as kept and shown: printable ASCII ('?' for anything else), at most {@link #MAX_FOLLOWER_ID} characters. */
    static String followerId(String header) {
        String cut = header.length() > MAX_FOLLOWER_ID ? header.substring(0, MAX_FOLLOWER_ID) : header;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private void forgetSilent() {
        long now = System.nanoTime();
        followers.entrySet().removeIf(entry -> {
            Seen seen = entry.getValue();
            synchronized (seen) {
                if (seen.polls > 0 || now - seen.last < GONE_AFTER.toNanos()) {
                    return false;
                }
            }
            Follower f = entry.getKey();
            console.line("Follower " + f.id() + " left '" + f.share() + "'");
            return true;
        });
    }

    private void printChange(String name, ShareEvent event) {
        String share = event.path() == null ? "" : event.path();
        String line = switch (event.type()) {
            case RENAME -> "RENAME " + event.from() + " -> " + share;
            case RESET -> "RESET (the last tree was not saved: followers compare the whole tree)";
            case DELETE -> "DELETE " + share;
            default -> event.type() + " " + share + (event.entry() != null && event.entry().type() == io.caravan.sync.SyncEntry.Type.DIR
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
