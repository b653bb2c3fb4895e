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
 * role is given), and no other. The JVM's own flag listing ({@code -XX:+PrintFlagsFinal}, printed before
 * the command's help) says what the JVM was given.
 */
class ExitOnOutOfMemoryIT {

    private static final Path LAUNCHER = Path.of("caravan").toAbsolutePath();
    private static final Pattern FLAG = Pattern.compile("bool ExitOnOutOfMemoryError\\s+=\\s+(true|false)");

    @TempDir
    Path work;

    private boolean exitsOnOutOfMemory(Map<String, String> environment, String... args) throws Exception {
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
        Matcher flag = FLAG.matcher(output);
        assertThat(flag.find()).as(output).isTrue();
        return Boolean.parseBoolean(flag.group(1));
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
