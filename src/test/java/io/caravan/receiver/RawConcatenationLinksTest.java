package io.caravan.receiver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.caravan.session.CountingSyncer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A raw session's file in staging is hashed and forced as itself: a link found in its place is never followed. */
class RawConcatenationLinksTest {

    @TempDir
    Path dir;

    @Test
    void aLinkAsTheStagedFileIsNeitherHashedNorForcedThrough() throws Exception {
        Path outside = Files.write(dir.resolve("outside"), "not the parcel's".getBytes());
        Path staged = Files.createSymbolicLink(dir.resolve("staged"), outside);

        assertThrows(IOException.class, () -> RawConcatenation.hash(staged));
        assertThrows(IOException.class, () -> RawConcatenation.force(staged, new CountingSyncer("boot")));
        assertArrayEquals("not the parcel's".getBytes(), Files.readAllBytes(outside));
    }
}
