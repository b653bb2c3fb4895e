package io.caravan.sender;

/**
 * A receiver's address answered a request with a success status but with a body no Caravan receiver
 * sends there: not JSON, or longer than such an answer can be. Another server (a proxy, a captive
 * portal, a misconfigured address) answered, so trying again does not help: not retryable.
 */
public final class UnreadableAnswerException extends ShipException {

    public UnreadableAnswerException(String message) {
        this(message, null);
    }

    private UnreadableAnswerException(String message, Throwable cause) {
        super(502, message, cause);
    }

    @Override
    public ShipException afterAttempts(int attempts) {
        return new UnreadableAnswerException(getMessage() + " (after " + attempts + " attempts)", this);
    }

    @Override
    public boolean retryable() {
        return false;
    }

    @Override
    public String code() {
        return "unreadable_answer";
    }
}
