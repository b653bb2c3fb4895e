package io.caravan.receiver;

import io.caravan.CaravanException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A receiver without a token lets anyone who reaches its port write into its inbox. That is the
 * default on 127.0.0.1 (only this machine); on any other address it refuses to start unless the
 * operator said so ({@code --insecure}, {@code caravan.receiver.allow-anonymous=true}).
 */
public final class AnonymousAccessGuard {

    private AnonymousAccessGuard() {
    }

    /** Throws, saying why and what to do, when {@code host} is not a loopback address, there is no token and that was not allowed. */
    public static void check(String host, BearerToken token, boolean allowAnonymous) {
        if (token.required() || allowAnonymous || loopback(host)) {
            return;
        }
        throw new CaravanException("refusing to start: the receiver would listen on " + host
                + ", which other machines can reach, without a token, so anyone reaching the port could write into"
                + " its inbox. Set a token (--token, caravan.receiver.token), listen on 127.0.0.1, or accept this"
                + " with --insecure (caravan.receiver.allow-anonymous=true)");
    }

    static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
