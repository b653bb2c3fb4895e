package io.caravan.unpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.caravan.progress.ProgressListener;
import io.caravan.util.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileContentWriterTest {

    private static final int FROM = (int) FileContentWriter.DIRECT_FROM;

    @TempDir
    Path dir;
    /** The write-behind threads the tests own, as {@code caravan unpack} owns its own. */
    final ExecutorService writes = Executors.newFixedThreadPool(ExtractPolicy.WRITE_BEHIND_THREADS);

    @AfterEach
    void stopWrites() {
        writes.shutdownNow();
    }

    /** A stream that hands out at most 3,001 bytes per read, as a tar entry stream may, followed by other data. */
    private static InputStream trickling(byte[] data) {
        byte[] withMore = java.util.Arrays.copyOf(data, data.length + 100);
        return new ByteArrayInputStream(withMore) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3001));
            }
        };
    }

    private static byte[] random(int length) {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        return data;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4097, FROM - 1, FROM, FROM + 1, FROM + 4096, FROM + (1 << 20) + 4097})
    void writesExactlyTheEntrysBytesWithTheirHashAndProgress(int length) throws Exception {
        byte[] data = random(length);
        InputStream content = trickling(data);
        MessageDigest digest = Sha256.newDigest();
        AtomicLong reported = new AtomicLong();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void bytes(long n) {
                reported.addAndGet(n);
            }
        };

        new FileContentWriter(true, writes).write(dir.resolve("f"), "f", length, content, digest, listener);

        assertArrayEquals(data, Files.readAllBytes(dir.resolve("f")), "file bytes");
        assertEquals(Sha256.of(data, 0, length), Sha256.hex(digest));
        assertEquals(length, reported.get(), "bytes reported as progress");
        assertEquals(100, content.readAllBytes().length, "the bytes after the entry are left in the stream");
    }

    @Test
    void aLargeFileWrittenDirectlyIsTheSameAsOneWrittenThroughThePageCache() throws Exception {
        byte[] data = random(FROM + 12345);

        new FileContentWriter(true, writes).write(dir.resolve("direct"), "direct", data.length, trickling(data), null, ProgressListener.NONE);
        new FileContentWriter(false, writes).write(dir.resolve("buffered"), "buffered", data.length, trickling(data), null, ProgressListener.NONE);

        assertEquals(data.length, Files.size(dir.resolve("direct")));
        assertEquals(-1L, Files.mismatch(dir.resolve("direct"), dir.resolve("buffered")));
    }

    @Test
    void onTmpfsALargeFileIsWrittenWhetherOrNotItTakesDirectIo() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()),
                "needs a tmpfs at /dev/shm");
        Path folder = Files.createTempDirectory(shm, "caravan-test-");
        try {
            byte[] data = random(FROM + 777);
            for (String name : new String[] {"first", "second"}) { // older kernels: refused, then known to be refused
                new FileContentWriter(true, writes).write(folder.resolve(name), name, data.length, trickling(data), null, ProgressListener.NONE);
                assertArrayEquals(data, Files.readAllBytes(folder.resolve(name)), name);
            }
        } finally {
            Staging.deleteTree(folder);
        }
    }

    @Test
    void anArchiveEndingInsideTheEntryIsAnErrorNamingIt() {
        byte[] data = random(FROM + 10);
        InputStream shortStream = new ByteArrayInputStream(data, 0, FROM / 2);

        IOException e = assertThrows(IOException.class, () -> new FileContentWriter(true, writes)
                .write(dir.resolve("big.bin"), "folder/big.bin", data.length, shortStream, null, ProgressListener.NONE));

        assertTrue(e.getMessage().contains("'folder/big.bin'"), e.getMessage());
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Files.writeString(dir.resolve("there"), "kept");
        byte[] data = random(FROM);

        assertThrows(FileAlreadyExistsException.class, () -> new FileContentWriter(true, writes)
                .write(dir.resolve("there"), "there", data.length, trickling(data), null, ProgressListener.NONE));

        assertEquals("kept", Files.readString(dir.resolve("there")));
    }

    @Test
    void aLargeFileHasItsBlocksWrittenOnTheExecutorItIsGiven() throws Exception {
        Assumptions.assumeFalse("tmpfs".equals(Files.getFileStore(dir).type()), "needs a file system that takes direct I/O");
        byte[] data = random(FROM + (3 << 20) + 4097);
        AtomicInteger handedOver = new AtomicInteger();
        Executor counting = task -> {
            handedOver.incrementAndGet();
            writes.execute(task);
        };

        new FileContentWriter(true, counting).write(dir.resolve("big"), "big", data.length, trickling(data), null, ProgressListener.NONE);

        assertArrayEquals(data, Files.readAllBytes(dir.resolve("big")));
        assertTrue(handedOver.get() > 0, "blocks written on the given executor: " + handedOver.get());
    }

    @Test
    void withoutAWriteBehindExecutorALargeFileIsWrittenOnTheExtractingThreadAlone() throws Exception {
        byte[] data = random(FROM + (3 << 20) + 4097);
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry entry = new TarArchiveEntry("big.bin");
            entry.setSize(data.length);
            out.putArchiveEntry(entry);
            out.write(data);
            out.closeArchiveEntry();
        }
        Path root = Files.createDirectories(dir.resolve("root"));

        new SafeExtractor(ExtractPolicy.DEFAULT, ProgressListener.NONE).extract(new ByteArrayInputStream(tar.toByteArray()), root);

        assertArrayEquals(data, Files.readAllBytes(root.resolve("big.bin")));
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.equals("caravan-write")).toList(), "threads started for the write and left behind");
    }
}
