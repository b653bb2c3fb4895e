package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.receiver.ReceiverFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** One {@code caravan sync <tmp>/tree --to <receiver> --once} pass, run in this JVM, that must succeed. */
final class PushPass {

    private PushPass() {
    }

    /** Runs the pass (state in {@code <tmp>/state}) and returns what it printed. */
    static String once(Path tmp, ReceiverFixture receiver, String name) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            CliRunner.Result sync = CliRunner.run("sync", tmp.resolve("tree").toString(), "--to", "http://127.0.0.1:" + receiver.port(),
                    "--name", name, "--once", "--state-dir", tmp.resolve("state").toString());
            assertThat(sync.exitCode()).as(printed.toString(StandardCharsets.UTF_8) + sync.err()).isZero();
        } finally {
            System.setOut(out);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }
}
