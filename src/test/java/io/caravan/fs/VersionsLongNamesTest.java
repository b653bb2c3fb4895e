package io.caravan.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A version of an entry whose name is already 255 bytes long is kept, twice in one operation too. */
class VersionsLongNamesTest {

    @TempDir
    Path tmp;

    @Test
    void aSecondVersionOfAFullLengthNameInOneBatchIsKept() throws Exception {
        Path inbox = Files.createDirectory(tmp.resolve("inbox"));
        Versions versions = new Versions(tmp.resolve("versions"), Duration.ofDays(1), Clock.systemUTC());
        Versions.Batch batch = versions.batch();
        String leaf = "v".repeat(NameRules.MAX_SEGMENT_BYTES);
        try (ConfinedDir dir = ConfinedDir.open(inbox)) {
            Files.writeString(inbox.resolve(leaf), "first");
            String kept = batch.keep(dir, leaf, leaf);
            Files.writeString(inbox.resolve(leaf), "second");
            String keptAgain = batch.keep(dir, leaf, leaf);

            assertThat(kept).isNotEqualTo(keptAgain);
            String again = Path.of(keptAgain).getFileName().toString();
            assertThat(again.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
            assertThat(again).endsWith("~1");
            assertThat(tmp.resolve("versions").resolve(kept)).hasContent("first");
            assertThat(tmp.resolve("versions").resolve(keptAgain)).hasContent("second");
        }
    }
}
