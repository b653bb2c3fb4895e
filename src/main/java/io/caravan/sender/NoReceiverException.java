package io.caravan.sender;

/**
 * Nothing answers at the receiver's address: the connection was refused, the host is unknown or
 * unreachable, or connecting timed out. Retryable (a service waits for its receiver), but a command
 * line gives up after a few seconds, since waiting longer rarely helps there.
 */
public final class NoReceiverException extends ShipException {

    public NoReceiverException(String url, Exception cause) {
        super(0, "no receiver at " + url + " — is `caravan serve` running there? (" + reason(cause) + ")", cause);
    }

    private static String reason(Exception cause) {
        if (cause instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (cause instanceof java.net.UnknownHostException) {
            return "unknown host " + cause.getMessage();
        }
        if (cause instanceof java.net.SocketTimeoutException) {
            return "no answer to the connection request";
        }
        return String.valueOf(cause.getMessage());
    }

    @Override
    public String code() {
        return "no_receiver";
    }
}
