package io.caravan.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real {@code caravan} JVM for end-to-end tests: started with the test classpath in a working
 * folder of its own (so it uses the packaged application.properties and routes, not the repo's),
 * output in a log file. {@link Tracker} kills every process a test started and prints their logs
 * when the test failed.
 */
final class CaravanProcess implements AutoCloseable {

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String label;
    private final Process process;
    private final Path log;

    private CaravanProcess(String label, Process process, Path log) {
        this.label = label;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code caravan <args>} in {@code workDir}; output goes to {@code workDir/<label>.log} (numbered if taken). */
    static CaravanProcess start(Path workDir, String label, String... args) throws IOException {
        return start(workDir, label, List.of(), args);
    }

    /** The same with more JVM options (e.g. {@code -XX:MaxDirectMemorySize=48m}). */
    static CaravanProcess start(Path workDir, String label, List<String> jvmOptions, String... args) throws IOException {
        return start(List.of(), workDir, label, jvmOptions, args);
    }

    /**
     * The same run by {@code wrapper}, a command that runs the rest in its place (e.g. {@code prlimit
     * --nofile=1024:1024}, so the JVM has those limits from its start).
     */
    static CaravanProcess start(List<String> wrapper, Path workDir, String label, List<String> jvmOptions, String... args)
            throws IOException {
        // C1 only and the serial collector: these JVMs live seconds; this saves about a third of their CPU time
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(JAVA, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.caravan.cli.CaravanCli"));
        command.addAll(List.of(args));
        Path log = workDir.resolve(label + ".log");
        for (int i = 2; Files.exists(log); i++) {
            log = workDir.resolve(label + "-" + i + ".log");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("CARAVAN_") && !key.equals("CARAVAN_DEBUG"));
        return new CaravanProcess(log.getFileName().toString().replace(".log", ""), builder.start(), log);
    }

    /** Waits until {@code GET /health} on the port answers 200; fails at once if the process ends. */
    CaravanProcess awaitHttpReady(int port) {
        await("'" + label + "' listening on " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("'" + label + "' exited with " + process.exitValue() + " before it was ready:\n" + log());
                    }
                    return status(port, "/health") == 200;
                });
        return this;
    }

    /** Waits for the process to end by itself; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("'" + label + "' still running after " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    /** {@code kill -9}: no shutdown hooks, nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Sends a signal by name ({@code INT} as Ctrl-C does, {@code TERM} as a service manager does). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).redirectErrorStream(true).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + ": " + new String(kill.getInputStream().readAllBytes()));
        }
    }

    /**
     * True when this JVM ignores SIGINT (started in the background of a shell without job control):
     * the processes it starts inherit that, and no Java code can catch Ctrl-C in them.
     */
    static boolean interruptIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    String label() {
        return label;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** HTTP status of a GET, or -1 when nothing answers. */
    static int status(int port, String path) {
        try {
            return get(port, path).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    static HttpResponse<String> get(int port, String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Starts processes for a test and ends them all after it; prints their logs when the test failed. */
    static final class Tracker implements AfterEachCallback {

        private final List<CaravanProcess> started = new ArrayList<>();

        CaravanProcess start(Path workDir, String label, String... args) throws IOException {
            return start(workDir, label, List.of(), args);
        }

        CaravanProcess start(Path workDir, String label, List<String> jvmOptions, String... args) throws IOException {
            return startWithin(List.of(), workDir, label, jvmOptions, args);
        }

        /**
         * {@code caravan serve} on {@code port} in a JVM sized as the launcher sizes it (128 MiB of direct memory),
         * publishing into {@code dir/inbox}, once it answers HTTP.
         */
        CaravanProcess serveAsLauncher(Path dir, int port) throws IOException {
            return start(dir, "serve", SyncOfLargeFilesInDefaultHeapIT.LAUNCHER_DEFAULTS, E2e.serve(port, dir.resolve("inbox")))
                    .awaitHttpReady(port);
        }

        /** Started by {@code wrapper} (see {@link CaravanProcess#start(List, Path, String, List, String...)}). */
        CaravanProcess startWithin(List<String> wrapper, Path workDir, String label, List<String> jvmOptions, String... args)
                throws IOException {
            CaravanProcess process = CaravanProcess.start(wrapper, workDir, label, jvmOptions, args);
            started.add(process);
            return process;
        }

        @Override
        public void afterEach(ExtensionContext context) throws Exception {
            for (CaravanProcess process : started) {
                process.close();
            }
            if (context.getExecutionException().isPresent()) {
                for (CaravanProcess process : started) {
                    System.err.println("==== log of '" + process.label + "' (" + context.getDisplayName() + ") ====");
                    System.err.println(process.log());
                }
            }
            started.clear();
        }
    }
}
