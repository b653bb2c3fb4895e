package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.sync.SyncConsole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A share name that is not one plain name is refused before anything is made for it, in the state folder or beside it. */
class ShareNamesTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"../../escaped", "a/b", "..", ".caravan", "", "bad\nname"})
    void aBadShareNameIsRefusedBeforeAnythingIsCreated(String name) throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("shared"));
        Path state = Files.createDirectories(tmp.resolve("work/state"));

        assertThatThrownBy(() -> new Shares(Map.of(name, folder), state, 100, Duration.ofMillis(100), Duration.ofMinutes(1),
                new SyncConsole(new PrintStream(new ByteArrayOutputStream())))).isInstanceOf(RuntimeException.class).hasMessageContaining("name");

        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.filter(p -> !p.equals(tmp)).map(tmp::relativize).map(Path::toString))
                    .containsExactlyInAnyOrder("shared", "work", "work/state");
        }
    }
}
