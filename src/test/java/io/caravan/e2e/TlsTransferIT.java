package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.Shell;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The receiver serves HTTPS from a keystore; a sender that trusts its certificate sends over TLS, one that does not is refused. */
class TlsTransferIT {

    @TempDir
    Path tmp;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @Test
    void sendOverHttpsWithATruststore() throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Shell.run(tmp, keytool + " -genkeypair -alias caravan -keyalg EC -groupname secp256r1 -validity 2"
                + " -dname CN=localhost -ext SAN=ip:127.0.0.1,dns:localhost -storetype PKCS12"
                + " -keystore server.p12 -storepass changeit -keypass changeit");
        Shell.run(tmp, keytool + " -exportcert -alias caravan -keystore server.p12 -storepass changeit -file server.cer");
        Shell.run(tmp, keytool + " -importcert -noprompt -alias caravan -file server.cer -storetype PKCS12"
                + " -keystore trust.p12 -storepass changeit");
        int port = ReceiverFixture.freePort();
        Path inbox = tmp.resolve("inbox");
        CaravanProcess serve = processes.start(tmp, "serve", "serve", "--port", String.valueOf(port), "--root", inbox.toString(),
                "--tls-keystore", tmp.resolve("server.p12").toString(), "--tls-password", "changeit");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> serve.log().contains("started in"));
        Path file = tmp.resolve("secret report.bin");
        TestTrees.random(file, 3_000_000, 21);
        String url = "https://127.0.0.1:" + port;

        CaravanProcess untrusted = processes.start(tmp, "untrusted", "send", file.toString(), "--to", url,
                "--state-dir", tmp.resolve("state1").toString(), "-q");
        assertThat(untrusted.awaitExit(Duration.ofSeconds(60))).as(untrusted.log()).isEqualTo(1);
        assertThat(untrusted.log()).contains("TLS handshake failed").contains("--truststore");

        CaravanProcess trusted = processes.start(tmp, "trusted", "send", file.toString(), "--to", url,
                "--truststore", tmp.resolve("trust.p12").toString(), "--truststore-password", "changeit",
                "--state-dir", tmp.resolve("state2").toString(), "-q");
        assertThat(trusted.awaitExit(Duration.ofSeconds(60))).as(trusted.log()).isZero();
        assertThat(inbox.resolve("secret report.bin")).hasSameBinaryContentAs(file);
        assertThat(Files.list(inbox).map(p -> p.getFileName().toString())).contains("secret report.bin");
    }
}
