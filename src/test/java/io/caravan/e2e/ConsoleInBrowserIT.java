package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser: Debian's chromium, driven by playwright-core
 * (src/test/browser/console-test.mjs), against a real {@code caravan serve} with a token while a real
 * {@code caravan send --bwlimit} runs. The script logs in with a wrong token (an error is shown), then
 * the right one, watches the transfer in the live list and then in the history, and saves
 * target/console.png (and -login, -live, -phone). Skipped only where chromium, node or the script's
 * node_modules are missing; .ci/run installs them.
 */
class ConsoleInBrowserIT {

    private static final Path BROWSER_TEST = Path.of("src/test/browser").toAbsolutePath();
    private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    private static final String TOKEN = "console-secret";
    private static final String NAME = "console-demo.bin";

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aRunningTransferAppearsLiveThenInTheHistoryAfterTheLogin() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(CHROMIUM)), "no chromium at " + CHROMIUM + ": apt-get install chromium"
                + " (or set CHROMIUM) to run the console's browser test");
        assumeTrue(onPath("node"), "no node on the PATH: apt-get install nodejs npm to run the console's browser test");
        assumeTrue(Files.isDirectory(BROWSER_TEST.resolve("node_modules/playwright-core")),
                "no playwright-core in " + BROWSER_TEST + "/node_modules: run 'npm ci' there to run the console's browser test");

        int port = E2e.freePort();
        processes.start(dir, "serve", "serve", "--port", String.valueOf(port), "--root", dir.resolve("inbox").toString(),
                "--token", TOKEN).awaitHttpReady(port);
        Path file = dir.resolve(NAME);
        writeRandom(file, 12 << 20);
        CaravanProcess send = processes.start(dir, "send", "send", file.toString(), "--to", "http://127.0.0.1:" + port,
                "--token", TOKEN, "--bwlimit", "1MiB", "--chunk-size", "1MiB");

        Path screenshot = Path.of("target/console.png").toAbsolutePath();
        Files.createDirectories(screenshot.getParent());
        Path log = dir.resolve("browser.log");
        ProcessBuilder node = new ProcessBuilder("node", "console-test.mjs").directory(BROWSER_TEST.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        node.environment().put("CONSOLE_URL", "http://127.0.0.1:" + port);
        node.environment().put("CONSOLE_TOKEN", TOKEN);
        node.environment().put("TRANSFER_NAME", NAME);
        node.environment().put("SCREENSHOT", screenshot.toString());
        node.environment().put("CHROMIUM", CHROMIUM);
        Process browser = node.start();
        try {
            boolean ended = browser.waitFor(4, TimeUnit.MINUTES);
            String output = Files.readString(log);
            assertThat(ended).as("the browser test still runs after 4 minutes:\n%s", output).isTrue();
            assertThat(browser.exitValue()).as("the browser test failed:\n%s", output).isZero();
            assertThat(output).contains("console test passed");
        } finally {
            browser.destroyForcibly();
        }
        assertThat(send.awaitExit(Duration.ofSeconds(60))).as(send.log()).isZero();
        assertThat(Files.size(screenshot)).isPositive();
        assertThat(Files.size(dir.resolve("inbox").resolve(NAME))).isEqualTo(12 << 20);
    }

    private static void writeRandom(Path file, int size) throws IOException {
        Random random = new Random(17);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block);
            }
        }
    }

    private static boolean onPath(String command) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, command))) {
                return true;
            }
        }
        return false;
    }
}
