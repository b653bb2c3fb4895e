package io.caravan.receiver;

import io.caravan.util.DirectMemoryBudget;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How much of the receiver's {@link DirectMemoryBudget} the upload bodies one client address is sending may
 * hold while uploads from other addresses wait for it (one refused for want of room within the last
 * {@link BodyPace#WAITING}): at most {@code percent} of it ({@code caravan.receiver.address-share}); an address
 * that holds none may always take one body, and nothing is limited while no other address waits (so clients
 * behind one proxy or NAT address are never held to a share among themselves). A body counts from its
 * reservation until it has arrived whole or its connection ends (a body kept for the read-ahead no longer
 * counts: the receiver, not the client, holds it then). So one address whose bodies {@link BodyPace} cuts
 * cannot take the whole budget again by reconnecting at once, ahead of the other addresses waiting. Safe for
 * any number of threads.
 */
final class AddressShares {

    private final DirectMemoryBudget budget;
    private final int percent;
    private final long share;
    private final ConcurrentHashMap<InetAddress, Long> sending = new ConcurrentHashMap<>();
    /** The address refused for want of room last, and when (System.nanoTime); null: none yet. */
    private InetAddress lastRefused;
    private long lastRefusedAt;
    /** The address other than {@link #lastRefused} refused last, and when; null: none yet. */
    private InetAddress otherRefused;
    private long otherRefusedAt;

    /** {@code percent}: from 1 to 100. */
    AddressShares(DirectMemoryBudget budget, int percent) {
        this.budget = budget;
        this.percent = percent;
        this.share = budget.limit() * percent / 100;
    }

    /**
     * Counts a body of {@code bytes} that {@code client} is about to send, before its reservation in the budget;
     * null when it may, else why not (for a 503 {@code busy}), nothing counted. Each body counted is {@link #sent} once.
     */
    String admit(InetAddress client, long bytes) {
        String[] refusal = new String[1];
        sending.compute(client, (address, held) -> {
            long now = held == null ? 0 : held;
            if (now > 0 && now + bytes > share && othersWait(address)) {
                refusal[0] = "uploads wait for the direct memory this receiver's upload bodies may hold (" + budget.named()
                        + "), and the bodies being sent from " + address.getHostAddress() + " hold " + now + " bytes of it;"
                        + " beside this one's " + bytes + " that is more than its share (caravan.receiver.address-share="
                        + percent + "%): nothing was stored, retry later";
                return held;
            }
            return now + bytes;
        });
        return refusal[0];
    }

    /** A body from {@code client} found no room in the budget: it waits. */
    synchronized void refused(InetAddress client) {
        long now = System.nanoTime();
        if (!client.equals(lastRefused)) {
            otherRefused = lastRefused;
            otherRefusedAt = lastRefusedAt;
            lastRefused = client;
        }
        lastRefusedAt = now;
    }

    /** Whether an address other than {@code client} was refused for want of room within {@link BodyPace#WAITING}. */
    private synchronized boolean othersWait(InetAddress client) {
        boolean lastIsOther = lastRefused != null && !lastRefused.equals(client);
        InetAddress other = lastIsOther ? lastRefused : otherRefused;
        long at = lastIsOther ? lastRefusedAt : otherRefusedAt;
        return other != null && System.nanoTime() - at <= BodyPace.WAITING.toNanos();
    }

    /** A body {@link #admit admitted} arrived whole, or will not: it no longer counts. */
    void sent(InetAddress client, long bytes) {
        sending.computeIfPresent(client, (address, held) -> held - bytes <= 0 ? null : held - bytes);
    }
}
