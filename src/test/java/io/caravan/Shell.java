package io.caravan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a bash command line (pipelines of the GNU tools) and fails with its output when it fails. */
public final class Shell {

    private Shell() {
    }

    public static String run(Path dir, String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-o", "pipefail", "-c", command)
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("command failed (exit " + process.exitValue() + "): " + command + "\n" + output);
        }
        return output;
    }

    /** Fails with an install hint when a tool the tests need is missing. */
    public static void require(String tool) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "command -v " + tool).start();
        if (p.waitFor() != 0) {
            throw new AssertionError(tool + " is not installed: .ci/run installs it (apt-get install " + tool + ")");
        }
    }
}
