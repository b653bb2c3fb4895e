package io.caravan.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender's pools (chunks, mirror parcels) come from Camel's ExecutorServiceManager: their threads are named and they stop with the context. */
class ShipPoolLifecycleTest {

    @TempDir
    Path tmp;

    @Test
    void theShipPoolIsNamedAndShutDownWhenTheContextStops() throws Exception {
        assertNamedAndStoppedWithTheContext(List.of("outbox", "ship-http"), Map.of(), "shipPool", "CaravanShip");
    }

    @Test
    void theMirrorsWorkerPoolIsNamedAndShutDownWhenTheContextStops() throws Exception {
        assertNamedAndStoppedWithTheContext(List.of("sync"), Map.of("caravan.sync.dir",
                Files.createDirectories(tmp.resolve("tree")).toString(), "caravan.sync.period", "3600000"), "syncPool", "CaravanSync");
    }

    private void assertNamedAndStoppedWithTheContext(List<String> routes, Map<String, String> more, String bean, String threadName)
            throws Exception {
        Map<String, String> properties = new java.util.HashMap<>(more);
        properties.putAll(Map.of("caravan.role", "sender", "caravan.sender.state-dir", tmp.resolve("state").toString(),
                "caravan.sender.outbox", tmp.resolve("outbox").toString()));
        Main main = CaravanMain.create(routes, properties);
        ExecutorService pool;
        try {
            main.start();
            pool = main.getCamelContext().getRegistry().lookupByNameAndType(bean, ExecutorService.class);
            assertThat(pool.submit(() -> Thread.currentThread().getName()).get()).contains(threadName);
        } finally {
            main.stop();
        }
        assertThat(pool.isShutdown()).isTrue();
    }
}
