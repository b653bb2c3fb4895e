package io.caravan.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which commands the real launcher starts with {@code -XX:+ExitOnOutOfMemoryError}: every long-running
 * process that runs a receiver ({@code serve}, {@code run} whose role is receiver or both, however the
 * role is given), and no other; and that JAVA_OPTS adds to the launcher's JVM defaults. The JVM's own flag listing
 * ({@code -XX:+PrintFlagsFinal}, printed before the command's help) says what the JVM was given.
 */
class ExitOnOutOfMemoryIT {

    private static final Path LAUNCHER = Path.of("caravan").toAbsolutePath();
    private static final Pattern FLAG = Pattern.compile("bool ExitOnOutOfMemoryError\\s+=\\s+(true|false)");

    @TempDir
    Path work;

    private boolean exitsOnOutOfMemory(Map<String, String> environment, String... args) throws Exception {
        String output = flags(environment, args);
        Matcher flag = FLAG.matcher(output);
        assertThat(flag.find()).as(output).isTrue();
        return Boolean.parseBoolean(flag.group(1));
    }

    /** What the launcher printed for {@code args} and {@code --help} (the JVM's flags first), with {@code environment}. */
    private String flags(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        command.add("--help");
        Path log = work.resolve("launcher.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("CARAVAN_") || key.equals("JAVA_OPTS"));
        builder.environment().put("JAVA_OPTS", "-Xmx64m -XX:+PrintFlagsFinal");
        builder.environment().put("CARAVAN_CDS", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("ended in time").isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    /** The value the JVM took for {@code name} ({@code -XX:+PrintFlagsFinal}). */
    private static String flag(String output, String name) {
        Matcher value = Pattern.compile("\\s" + name + "\\s+=\\s+(\\S+)").matcher(output);
        assertThat(value.find()).as(name + " in " + output).isTrue();
        return value.group(1);
    }

    /**
     * JAVA_OPTS adds to the launcher's bounded-memory defaults instead of replacing them: the heap the messages tell
     * users to give ({@code JAVA_OPTS=-Xmx512m}) kept the serial collector and the 128 MiB of direct memory; a
     * collector of one's own replaces the serial one, and a heap below the default initial size still starts.
     */
    @Test
    void javaOptsAddToTheLaunchersDefaults() throws Exception {
        String heap = flags(Map.of("JAVA_OPTS", "-Xmx200m -XX:+PrintFlagsFinal"), "pack");
        assertThat(flag(heap, "MaxHeapSize")).isEqualTo(String.valueOf(200L << 20));
        assertThat(flag(heap, "UseSerialGC")).isEqualTo("true");
        assertThat(flag(heap, "MaxDirectMemorySize")).isEqualTo(String.valueOf(128L << 20));

        String g1 = flags(Map.of("JAVA_OPTS", "-XX:+UseG1GC -XX:+PrintFlagsFinal"), "pack");
        assertThat(flag(g1, "UseG1GC")).isEqualTo("true");
        assertThat(flag(g1, "UseSerialGC")).isEqualTo("false");

        String small = flags(Map.of("JAVA_OPTS", "-Xmx16m -XX:+PrintFlagsFinal"), "pack");
        assertThat(flag(small, "MaxHeapSize")).isEqualTo(String.valueOf(16L << 20));
    }

    private boolean exitsOnOutOfMemory(String... args) throws Exception {
        return exitsOnOutOfMemory(Map.of(), args);
    }

    @Test
    void serveExitsOnOutOfMemory() throws Exception {
        assertThat(exitsOnOutOfMemory("serve")).isTrue();
        assertThat(exitsOnOutOfMemory("server")).isTrue();
    }

    @Test
    void runWithAReceiverExitsOnOutOfMemoryHoweverTheRoleIsGiven() throws Exception {
        assertThat(exitsOnOutOfMemory("run", "--role", "receiver")).as("--role receiver").isTrue();
        assertThat(exitsOnOutOfMemory("run", "--role=receiver")).as("--role=receiver").isTrue();
        assertThat(exitsOnOutOfMemory("run")).as("the default role, both").isTrue();
        assertThat(exitsOnOutOfMemory("run", "--role", "both")).as("--role both").isTrue();
        assertThat(exitsOnOutOfMemory("run", "-Dcaravan.role=receiver")).as("-D").isTrue();
        assertThat(exitsOnOutOfMemory(Map.of("CARAVAN_ROLE", "receiver"), "run")).as("CARAVAN_ROLE").isTrue();
        Files.writeString(work.resolve("receiver.properties"), "caravan.role = receiver\ncaravan.pull.from = http://127.0.0.1:9/\n");
        assertThat(exitsOnOutOfMemory("run", "--config", work.resolve("receiver.properties").toString()))
                .as("a receiver that pulls, its role in --config").isTrue();
        Files.writeString(work.resolve("application.properties"), "caravan.role=sender\n");
        assertThat(exitsOnOutOfMemory("run", "--role", "receiver")).as("--role over the working folder's file").isTrue();
    }

    @Test
    void aSenderAndTheShortCommandsKeepTheirOwnAnswers() throws Exception {
        assertThat(exitsOnOutOfMemory("run", "--role", "sender")).as("--role sender").isFalse();
        assertThat(exitsOnOutOfMemory("run", "-D", "caravan.role=sender")).as("-D caravan.role=sender").isFalse();
        assertThat(exitsOnOutOfMemory(Map.of("CARAVAN_ROLE", "sender"), "run")).as("CARAVAN_ROLE=sender").isFalse();
        Files.writeString(work.resolve("sender.properties"), "# a sender\ncaravan.role: sender\n");
        assertThat(exitsOnOutOfMemory("run", "--config=" + work.resolve("sender.properties"))).as("--config=").isFalse();
        Files.writeString(work.resolve("application.properties"), "  caravan.role   sender\n");
        assertThat(exitsOnOutOfMemory("run")).as("the working folder's application.properties").isFalse();
        assertThat(exitsOnOutOfMemory("pack")).isFalse();
        assertThat(exitsOnOutOfMemory("sync")).isFalse();
    }

    @Test
    void javaOptsTurnsItOff() throws Exception {
        assertThat(exitsOnOutOfMemory(Map.of("JAVA_OPTS", "-XX:+PrintFlagsFinal -XX:-ExitOnOutOfMemoryError"), "serve")).isFalse();
    }
}
