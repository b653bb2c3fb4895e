package io.caravan.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.netty.http.NettyHttpComponent;
import org.apache.camel.component.netty.http.NettyHttpConfiguration;

/**
 * TLS for both ends: the receiver serves HTTPS from a keystore (PKCS12 or JKS) through netty-http's
 * SSL options; a sender (or a downloading client) trusts a receiver's certificate through a
 * truststore loaded into an SSL context of its own, never through JVM-wide system properties.
 */
public final class Tls {

    private Tls() {
    }

    static void serve(CamelContext context, Path keystore, String password) {
        if (!Files.isRegularFile(keystore)) {
            throw new IllegalArgumentException("caravan.receiver.tls-keystore: no keystore at " + keystore.toAbsolutePath());
        }
        NettyHttpConfiguration config = context.getComponent("netty-http", NettyHttpComponent.class).getConfiguration();
        config.setSsl(true);
        config.setKeyStoreResource("file:" + keystore.toAbsolutePath());
        config.setPassphrase(password);
        config.setKeyStoreFormat(format(keystore));
    }

    /**
     * An SSL context that trusts the certificates in {@code truststore}, for one client's HTTPS
     * calls; null when no truststore is given (the JDK's default trust then applies). Nothing
     * JVM-wide changes: other clients in the process keep their own trust.
     */
    public static SSLContext trust(String truststore, String password) {
        if (truststore == null || truststore.isBlank()) {
            return null;
        }
        Path file = Path.of(truststore);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("truststore not found: " + file.toAbsolutePath());
        }
        char[] secret = password == null ? new char[0] : password.toCharArray();
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(format(file));
            store.load(in, secret);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("truststore " + file.toAbsolutePath() + " cannot be read (" + e.getMessage()
                    + "): check the file and its password (--truststore-password)", e);
        }
    }

    private static String format(Path store) {
        String name = store.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jks") ? "JKS" : "PKCS12";
    }
}
