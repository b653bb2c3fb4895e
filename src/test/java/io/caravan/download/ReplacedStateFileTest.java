package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download's data file replaced by a symbolic link (not something Caravan makes) is refused with a message
 * that names the file and says what to do, never the bare "Too many levels of symbolic links"; what the link
 * points to is not touched.
 */
class ReplacedStateFileTest {

    @Test
    void aDataFileThatIsALinkIsNamedWithWhatToDo(@TempDir Path tmp) throws Exception {
        Path state = Files.createDirectories(tmp.resolve("gd/.caravan-get-big.raw"));
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "keep me");
        Files.createSymbolicLink(state.resolve("data"), victim);
        String sha = "0".repeat(64);
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "big.raw", "none", null, 4, 1, 4, sha,
                null, null, null, List.of(new ChunkInfo(0, 4, sha)));

        assertThatThrownBy(() -> RawAssembly.open(state, manifest, "big.raw", 1))
                .hasMessageContaining(state.resolve("data").toString()).hasMessageContaining("link")
                .hasMessageContaining("remove the state folder").hasMessageNotContaining("Too many levels");
        assertThat(Files.readString(victim)).isEqualTo("keep me");
        assertThat(Files.isSymbolicLink(state.resolve("data"))).isTrue();
    }
}
