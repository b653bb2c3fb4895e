package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A follower pointed at an address where no share server listens says so, naming the address and
 * what to check, as the sender and {@code caravan get} do; not the JDK's bare "Connection refused".
 */
class ShareServerNotThereTest {

    @Test
    void aRefusedConnectionNamesTheShareAndWhatToCheck() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        String url = "http://127.0.0.1:" + port + "/shares/site";
        ShareClient client = new ShareClient(url, null, "t", null, why -> { });

        assertThatThrownBy(() -> client.listing(false)).isInstanceOf(ShareClient.ShareUnreachableException.class)
                .hasMessageContaining("no share server at " + url)
                .hasMessageContaining("caravan serve --share").hasMessageContaining("connection refused");
        assertThatThrownBy(() -> client.events(0, Duration.ofSeconds(1))).hasMessageContaining("no share server at " + url);
        assertThat(client.name()).isEqualTo("site");
    }
}
