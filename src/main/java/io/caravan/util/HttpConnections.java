package io.caravan.util;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * How Caravan's clients (sender, catalog, share follower) open a connection: to the URL they were
 * given and nowhere else (a redirect is an answer, never followed, so a parcel or a token cannot be
 * sent elsewhere), trusting what {@code ssl} trusts, with a connect timeout and a read timeout (how long
 * a read may wait for a byte), and the bearer token when there is one.
 */
public final class HttpConnections {

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

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
}
