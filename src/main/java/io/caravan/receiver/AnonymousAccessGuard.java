package io.caravan.receiver;

import io.caravan.CaravanException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A receiver without a token lets anyone who reaches its port write into its inbox. That is the
 * default on 127.0.0.1 (only this machine); on any other address it refuses to start unless the
 * operator said so ({@code --insecure}, {@code caravan.receiver.allow-anonymous=true}). The console a
 * sender serves on its own port ({@code caravan.console.*}) is held to the same rule: without a token,
 * anyone reaching it would see what the sender sends.
 */
public final class AnonymousAccessGuard {

    private AnonymousAccessGuard() {
    }

    /** Throws, saying why and what to do, when {@code host} is not a loopback address, there is no token and that was not allowed. */
    public static void check(String host, BearerToken token, boolean allowAnonymous) {
        refuseExposed("the receiver", host, token, allowAnonymous, "write into its inbox. Set a token (--token,"
                + " caravan.receiver.token), listen on 127.0.0.1, or accept this with --insecure (caravan.receiver.allow-anonymous=true)");
    }

    /** As {@link #check}, for the console a process without a receiver serves on {@code host} ({@code caravan.console.host}). */
    public static void checkConsole(String host, BearerToken token, boolean allowAnonymous) {
        refuseExposed("the console", host, token, allowAnonymous, "see what this sender sends. Set a token"
                + " (caravan.console.token, or the sender's caravan.sender.token), listen on 127.0.0.1 (caravan.console.host),"
                + " or accept this with --insecure (caravan.console.allow-anonymous=true)");
    }

    /** Throws when other machines could reach {@code host} without a token and that was not allowed; {@code risk}: what anyone could then do, and the ways out. */
    private static void refuseExposed(String what, String host, BearerToken token, boolean allowAnonymous, String risk) {
        if (token.required() || allowAnonymous || loopback(host)) {
            return;
        }
        throw new CaravanException("refusing to start: " + what + " would listen on " + host
                + ", which other machines can reach, without a token, so anyone reaching the port could " + risk);
    }

    static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
