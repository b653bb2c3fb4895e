package io.caravan.app;

import static org.assertj.core.api.Assertions.assertThat;

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
        Main main = CaravanMain.create(List.of("outbox", "ship-http"), Map.of("caravan.role", "sender",
                "caravan.sender.state-dir", tmp.resolve("state").toString(),
                "caravan.sender.outbox", tmp.resolve("outbox").toString()));
        ExecutorService pool;
        try {
            main.start();
            pool = main.getCamelContext().getRegistry().lookupByNameAndType("shipPool", ExecutorService.class);
            assertThat(pool.submit(() -> Thread.currentThread().getName()).get()).contains("CaravanShip");
        } finally {
            main.stop();
        }
        assertThat(pool.isShutdown()).isTrue();
    }

    @Test
    void theMirrorsWorkerPoolIsNamedAndShutDownWhenTheContextStops() throws Exception {
        Main main = CaravanMain.create(List.of("sync"), Map.of("caravan.role", "sender",
                "caravan.sender.state-dir", tmp.resolve("state").toString(),
                "caravan.sender.outbox", tmp.resolve("outbox").toString(),
                "caravan.sync.dir", java.nio.file.Files.createDirectories(tmp.resolve("tree")).toString(),
                "caravan.sync.period", "3600000"));
        ExecutorService pool;
        try {
            main.start();
            pool = main.getCamelContext().getRegistry().lookupByNameAndType("syncPool", ExecutorService.class);
            assertThat(pool.submit(() -> Thread.currentThread().getName()).get()).contains("CaravanSync");
        } finally {
            main.stop();
        }
        assertThat(pool.isShutdown()).isTrue();
    }
}
