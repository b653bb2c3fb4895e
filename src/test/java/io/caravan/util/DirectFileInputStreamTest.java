package io.caravan.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectFileInputStreamTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 4096, 4097, 1 << 20, (1 << 20) + 1, (3 << 20) + 12_345})
    void readsExactlyTheFilesBytesAndGivesItsBufferBack(int length) throws Exception {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        Path file = Files.write(dir.resolve("f"), data);
        AlignedBuffers pool = new AlignedBuffers(1);

        for (int round = 0; round < 2; round++) { // the second needs the buffer the first gave back
            try (InputStream in = DirectFileInputStream.open(file, pool)) {
                assertArrayEquals(data, in.readAllBytes());
                assertEquals(-1, in.read(), "stays at its end");
            }
        }
        assertEquals(AlignedBuffers.SIZE, pool.allocatedBytes(), "one buffer, reused");
    }

    @Test
    void withoutAFreeBufferTheFileIsReadPlainly() throws Exception {
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        Path file = Files.write(dir.resolve("f"), data);
        AlignedBuffers none = new AlignedBuffers(0);

        try (InputStream in = DirectFileInputStream.open(file, none)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void aPipeOrALinkAsTheFileIsRefusedAtOnceNeverWaitedOnOrFollowed(int buffers) throws Exception {
        Path pipe = dir.resolve("pipe");
        assertEquals(0, new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor());
        Path target = Files.write(dir.resolve("target"), new byte[8192]);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        AlignedBuffers pool = new AlignedBuffers(buffers);

        for (Path file : List.of(pipe, link, Files.createDirectory(dir.resolve("folder")))) {
            IOException refused = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(IOException.class, () -> DirectFileInputStream.open(file, pool).close()),
                    file + " was waited on");
            assertTrue(refused.getMessage().contains(file.getFileName().toString()), refused.getMessage());
        }
        if (buffers > 0) {
            assertNotNull(pool.acquire(), "the buffer went back to the pool");
        }
    }

    @Test
    void aMissingFileIsReportedAsSuchAndKeepsNoBuffer() {
        AlignedBuffers pool = new AlignedBuffers(1);

        assertThrows(NoSuchFileException.class, () -> DirectFileInputStream.open(dir.resolve("missing"), pool));

        assertNotNull(pool.acquire(), "the buffer went back to the pool");
    }
}
