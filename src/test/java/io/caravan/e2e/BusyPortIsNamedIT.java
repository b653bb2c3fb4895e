package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A receiver whose port is taken says which port on which address, in a few lines, and exits 1. */
class BusyPortIsNamedIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    java.nio.file.Path dir;

    @Test
    void aSecondReceiverOnTheSamePortNamesIt() throws Exception {
        int port = E2e.freePort();
        processes.start(dir, "first", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        CaravanProcess second = processes.start(dir, "second", E2e.serve(port, dir.resolve("inbox2")));
        int exit = second.awaitExit(Duration.ofSeconds(60));
        String output = second.log();
        assertThat(exit).as(output).isEqualTo(1);
        assertThat(output).contains("port " + port + " on 127.0.0.1 is in use by another program");
        assertThat(output.lines().count()).as(output).isLessThanOrEqualTo(5);
    }
}
