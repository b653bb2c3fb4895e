package io.caravan.app;

import io.caravan.CaravanException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** The receiver's (or a sender's console's) address cannot be bound: another program listens there. Names the port and the way out. */
public final class PortInUseException extends CaravanException {

    /** The receiver's advice (the default). */
    static final String RECEIVER_ADVICE = "give this receiver another port (serve --port, -Dcaravan.receiver.port=...); to send"
            + " to the receiver that already runs there, use 'caravan run --role sender'";
    /** A sender's console: another port, or none. */
    static final String CONSOLE_ADVICE = "give this sender's console another port (-Dcaravan.console.port=...), or turn it off"
            + " (-Dcaravan.console.enabled=false)";

    PortInUseException(String host, int port, BindException cause) {
        this(host, port, RECEIVER_ADVICE, cause);
    }

    PortInUseException(String host, int port, String advice, BindException cause) {
        super("port " + port + " on " + host + " is in use by another program (" + cause.getMessage() + "): stop it,"
                + " or " + advice, cause);
    }

    /** Fails before anything starts when {@code host:port} cannot be bound (as Netty binds it: reusing TIME_WAIT). */
    static void requireFree(String host, int port) {
        requireFree(host, port, RECEIVER_ADVICE);
    }

    /** As {@link #requireFree(String, int)}, with {@code advice} in the message. */
    static void requireFree(String host, int port, String advice) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw new PortInUseException(host, port, advice, e);
        } catch (IOException e) {
            // another problem (an unknown host, ...): Camel reports it when it binds
        }
    }

    /** The bind failure in a start-up failure's causes, if that is what it was. */
    static BindException bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException bind) {
                return bind;
            }
        }
        return null;
    }

    @Override
    public String code() {
        return "port_in_use";
    }
}
