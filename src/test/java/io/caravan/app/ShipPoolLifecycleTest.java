package io.caravan.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender's chunk pool comes from Camel's ExecutorServiceManager: its threads are named and it stops with the context. */
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
}
