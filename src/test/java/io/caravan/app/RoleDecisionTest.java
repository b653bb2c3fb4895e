package io.caravan.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The role and the transport are decided once: a value that is not allowed stops the start with a
 * message naming it and the allowed ones, and a receiver-only configuration builds none of the sender's beans.
 */
class RoleDecisionTest {

    @TempDir
    Path tmp;

    private Map<String, String> properties(String role, String transport) throws Exception {
        return Map.of("caravan.role", role, "caravan.sender.transport", transport,
                "caravan.receiver.port", String.valueOf(ReceiverFixture.freePort()),
                "caravan.receiver.inbox", tmp.resolve("inbox").toString(),
                "caravan.sender.state-dir", tmp.resolve("sender-state").toString(),
                "caravan.sender.outbox", tmp.resolve("outbox").toString());
    }

    @Test
    void anUnknownRoleStopsTheStartNamingTheValueAndTheAllowedOnes() throws Exception {
        assertStartRefused("receiver", properties("recevier", "http"), "caravan.role (--role) is 'recevier': use one of sender, receiver, both");
        assertThat(tmp.resolve("sender-state")).doesNotExist();
    }

    @Test
    void anUnknownTransportStopsTheStartNamingTheValueAndTheAllowedOnes() throws Exception {
        assertStartRefused("outbox", properties("sender", "ftp"), "caravan.sender.transport (--transport) is 'ftp': use one of http, file");
    }

    private static void assertStartRefused(String route, Map<String, String> properties, String message) {
        Main main = CaravanMain.create(List.of(route), properties);
        try {
            assertThatThrownBy(main::start).hasStackTraceContaining(message);
        } finally {
            main.stop();
        }
    }

    @Test
    void aReceiverOnlyConfigurationBuildsNoSenderBeans() throws Exception {
        Main main = CaravanMain.create(List.of("receiver"), properties("receiver", "http"));
        try {
            main.start();
            CamelContext context = main.getCamelContext();
            for (String bean : List.of("shipper", "parcelSplitter", "outbox", "shipPool", "syncPass")) {
                assertThat(context.getRegistry().lookupByName(bean)).as(bean).isNull();
            }
            assertThat(context.getRegistry().lookupByName("receiver")).isNotNull();
        } finally {
            main.stop();
        }
        assertThat(tmp.resolve("sender-state")).doesNotExist();
    }

    @Test
    void aSenderOverTheFileTransportBuildsNoHttpShipping() throws Exception {
        Map<String, String> properties = new java.util.HashMap<>(properties("sender", "file"));
        properties.put("caravan.sender.parts-dir", tmp.resolve("parts").toString());
        Main main = CaravanMain.create(List.of("outbox", "ship-file"), properties);
        try {
            main.start();
            CamelContext context = main.getCamelContext();
            assertThat(context.getRegistry().lookupByName("parcelSplitter")).isNotNull();
            assertThat(context.getRegistry().lookupByName("shipper")).isNull();
            assertThat(context.getRegistry().lookupByName("shipPool")).isNull();
        } finally {
            main.stop();
        }
        assertThat(tmp.resolve("sender-state")).doesNotExist();
    }

    @Test
    void theRoutesFollowTheRoleAndTheTransport() {
        assertThat(new RoleSettings(Role.RECEIVER, "file", true, true).routes()).containsExactly("receiver", "parts-pickup", "pull");
        assertThat(new RoleSettings(Role.SENDER, "http", true, true).routes()).containsExactly("outbox", "ship-http", "sync", "console");
        assertThat(new RoleSettings(Role.SENDER, "file", false, false, false).routes()).containsExactly("outbox", "ship-file");
        assertThat(new RoleSettings(Role.BOTH, "http", false, false).routes()).containsExactly("receiver", "outbox", "ship-http");
    }
}
