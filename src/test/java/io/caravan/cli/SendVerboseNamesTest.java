package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.receiver.ReceiverFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan send -v} names each file as it is packed with its control characters escaped
 * ({@code \u001b}, {@code \u000d}), as pack and sync do: a name cannot clear the terminal or
 * overwrite the line it is on.
 */
class SendVerboseNamesTest {

    @Test
    void eachFileIsNamedWithItsControlCharactersEscaped(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("t"));
        for (String name : new String[] {"a\u001b[2Jb", "c\rd"}) {
            Files.writeString(folder.resolve(name), name);
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            CliRunner.run("send", folder.toString(), "-v", "--to", "http://127.0.0.1:" + receiver.port(),
                    "--state-dir", tmp.resolve("state").toString());
        } finally {
            System.setOut(out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("t/a\\u001b[2Jb (").contains("t/c\\u000dd (").doesNotContain("\u001b", "\r");
    }
}
