package io.caravan.sender;

/**
 * A transfer was stopped on request (Ctrl-C, SIGTERM, a service being stopped), not failed: the
 * receiver keeps what it holds and the sender's journal keeps the session, so running the same
 * command again (or the next start of the service) resumes it. Never retried, never final.
 */
public final class TransferStoppedException extends ShipException {

    public TransferStoppedException(String what) {
        super(0, "stopped on request during " + what + "; the receiver keeps what it holds", null);
    }

    @Override
    public boolean retryable() {
        return false;
    }

    @Override
    public String code() {
        return "transfer_stopped";
    }
}
