package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan serve} and {@code caravan run} start in about 15 lines: the property listing is a
 * debug line ({@code -v} shows it) and {@code -q} leaves no INFO line at all.
 */
class StartupOutputIsShortIT {

    private static final int MAX_LINES = 15;

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    java.nio.file.Path dir;

    /** The output of a process up to the moment its receiver answers on {@code port} (then it is killed). */
    private List<String> startupLines(int port, String... args) throws Exception {
        CaravanProcess process = processes.start(dir, args[0], args).awaitHttpReady(port);
        process.kill();
        List<String> lines = process.log().lines().toList();
        System.out.println("---- " + String.join(" ", args) + ": " + lines.size() + " lines\n" + String.join("\n", lines));
        return lines;
    }

    @Test
    void serveStartsInAFewLinesWithoutThePropertyListing() throws Exception {
        int port = E2e.freePort();
        List<String> lines = startupLines(port, E2e.serve(port, dir.resolve("inbox")));
        assertThat(lines).hasSizeLessThanOrEqualTo(MAX_LINES);
        assertThat(lines).noneMatch(l -> l.contains("caravan.receiver.session-ttl"));
        assertThat(String.join("\n", lines)).contains(String.valueOf(port));
    }

    @Test
    void runStartsInAFewLines() throws Exception {
        int port = E2e.freePort();
        assertThat(startupLines(port, E2e.run(dir, port))).hasSizeLessThanOrEqualTo(MAX_LINES);
    }

    @Test
    void verboseShowsThePropertyListingAndQuietNoInfoLines() throws Exception {
        int port = E2e.freePort();
        List<String> verbose = startupLines(port, "serve", "--port", String.valueOf(port), "--root", dir.resolve("inbox").toString(), "-v");
        assertThat(verbose).anyMatch(l -> l.contains("caravan.receiver.session-ttl") && l.contains("3d"));

        int quietPort = E2e.freePort();
        List<String> quiet = startupLines(quietPort, "serve", "--port", String.valueOf(quietPort), "--root",
                dir.resolve("inbox2").toString(), "-q");
        assertThat(quiet).noneMatch(l -> l.contains(" INFO "));
    }
}
