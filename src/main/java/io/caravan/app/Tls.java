package io.caravan.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.camel.CamelContext;
import org.apache.camel.component.netty.http.NettyHttpComponent;
import org.apache.camel.component.netty.http.NettyHttpConfiguration;

/**
 * TLS for both ends: the receiver serves HTTPS from a keystore (PKCS12 or JKS) through netty-http's
 * SSL options; senders trust a receiver's certificate through a truststore, which the JDK's
 * default SSL context (used by the HTTP client) reads from the standard system properties.
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

    /** Makes HTTPS calls trust the certificates in {@code truststore} (no-op when null). */
    public static void trust(String truststore, String password) {
        if (truststore == null || truststore.isBlank()) {
            return;
        }
        Path file = Path.of(truststore);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("truststore not found: " + file.toAbsolutePath());
        }
        System.setProperty("javax.net.ssl.trustStore", file.toAbsolutePath().toString());
        System.setProperty("javax.net.ssl.trustStorePassword", password == null ? "" : password);
        System.setProperty("javax.net.ssl.trustStoreType", format(file));
    }

    private static String format(Path store) {
        String name = store.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jks") ? "JKS" : "PKCS12";
    }
}
