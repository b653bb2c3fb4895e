package io.caravan.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.sender.ReceiverClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusting a receiver's certificate and making a client change nothing for the rest of the JVM:
 * no {@code javax.net.ssl.*} or {@code http.*} system property is set (another transfer in the same
 * process keeps its own trust).
 */
class TlsSettingsTest {

    @TempDir
    Path tmp;

    @Test
    void loadingTheTruststoreLeavesTheSystemPropertiesAlone() throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "caravan", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-storetype", "PKCS12", "-keystore", "trust.p12", "-storepass", "changeit");
        java.util.TimeZone.getDefault(); // the JDK notes user.timezone on first use
        Properties before = (Properties) System.getProperties().clone();

        javax.net.ssl.SSLContext trust = Tls.trust(tmp.resolve("trust.p12").toString(), "changeit");
        new ReceiverClient("https://127.0.0.1:1", null, Duration.ofSeconds(1), trust);

        assertThat(System.getProperties().entrySet()).as("system properties set or changed")
                .filteredOn(e -> !e.getValue().equals(before.get(e.getKey()))).isEmpty();
        assertThat(trust).isNotNull();
    }

    private void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
    }
}
