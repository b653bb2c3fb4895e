package io.caravan.util;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * How Caravan's clients (sender, catalog, share follower) open a connection: to the URL they were
 * given and nowhere else (a redirect is an answer, never followed, so a parcel or a token cannot be
 * sent elsewhere), trusting what {@code ssl} trusts, with a connect timeout and a read timeout (how long
 * a read may wait for a byte), and the bearer token when there is one; and how they wait for an answer's
 * head ({@link #status}): within a deadline, which a server sending its head a line now and then (never
 * silent for the read timeout) cannot stretch.
 */
public final class HttpConnections {

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Closes the connections whose answer's head is late; one thread for every client of the process. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-answer-head-deadlines");
        t.setDaemon(true);
        return t;
    });

    private HttpConnections() {
    }

    /** An unconnected connection to {@code url}; {@code ssl} null: the JDK's trust; {@code token} null or blank: none. */
    public static HttpURLConnection open(String url, SSLSocketFactory ssl, Duration readTimeout, String token) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setInstanceFollowRedirects(false);
        if (ssl != null && connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(ssl);
        }
        connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
        if (token != null && !token.isBlank()) {
            connection.setRequestProperty("Authorization", "Bearer " + token);
        }
        return connection;
    }

    /**
     * The status of {@code connection}'s answer once its whole head has arrived (connecting first, within the
     * connect timeout, when it is not yet), within {@code deadline} of the request: past it the connection is
     * closed and the wait fails as an answer too slow ({@link MinimumRateInputStream.TooSlowException}, which
     * callers take as a connection that broke off). A server's own time before it answers counts, so the
     * deadline is at least the read timeout (the silence a server may keep while it works) plus what the head's
     * few kilobytes take at the slowest rate a client accepts.
     */
    public static int status(HttpURLConnection connection, Duration deadline) throws IOException {
        connection.connect(); // nothing when connected already (a request with a body is, once the body is written)
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> cut = DEADLINES.schedule(() -> {
            late.set(true);
            // on a thread of its own: closing a TLS connection writes to it, which a server that reads nothing can
            // hold, and this one thread cuts every client's late heads
            Thread hangUp = new Thread(connection::disconnect, "caravan-answer-head-cut");
            hangUp.setDaemon(true);
            hangUp.start();
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            int status = connection.getResponseCode();
            if (late.get()) {
                throw tooSlow(deadline);
            }
            return status;
        } catch (IOException | RuntimeException e) {
            if (late.get()) {
                MinimumRateInputStream.TooSlowException slow = tooSlow(deadline);
                slow.addSuppressed(e);
                throw slow;
            }
            throw e;
        } finally {
            cut.cancel(false);
        }
    }

    private static MinimumRateInputStream.TooSlowException tooSlow(Duration deadline) {
        return new MinimumRateInputStream.TooSlowException("the server did not send the whole head of its answer within "
                + deadline.toSeconds() + " s of the request (it drips it, or the link is too slow)");
    }
}
