package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Zips made by Python's zipfile, patched byte by byte where a test needs a zip no Java writer makes. */
public final class PythonZip {

    private PythonZip() {
    }

    /** Runs {@code script} to write {@code zip} ({@code p} is its path; zipfile, struct and zlib are imported). */
    public static Path make(Path zip, String script) throws Exception {
        Process process = new ProcessBuilder(List.of("python3", "-c", "import zipfile, struct, zlib, sys\np = sys.argv[1]\n" + script,
                zip.toString())).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return zip;
    }
}
