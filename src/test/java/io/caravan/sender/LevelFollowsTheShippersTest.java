package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.pack.AdaptiveLevel;
import io.caravan.pack.AutoCodec;
import io.caravan.pack.Chunk;
import io.caravan.pack.LevelLog;
import io.caravan.pack.LinkWaits;
import io.caravan.pack.PackHooks;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code auto} codec's level follows the shippers, not only its own writes: the packed stream
 * is buffered (a hand-off queue, queued chunks) between the compressor and the uploads, so a slow
 * link shows first as chunks waiting for a free upload slot. Shippers that take chunks slowly raise
 * the level; shippers that take them at once, leaving the compressor as the bound, lower it.
 */
class LevelFollowsTheShippersTest {

    /** 12 MiB of text: about 4 MiB packed, less than the buffers between compressor and shippers hold. */
    private static final int SIZE = 12 << 20;
    private static final int SEGMENT = 256 * 1024;
    private static final long CHUNK = 256 * 1024;

    @TempDir
    Path tmp;
    final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void shippersSlowToTakeChunksRaiseTheLevel() throws Exception {
        LinkWaits waits = new LinkWaits();
        // long enough that the packer runs into the buffers' end well after the first answers
        LevelLog log = ship(waits, new SlowLink(8_000_000, waits), 2 * SIZE);

        assertThat(Collections.max(log.levels())).as("levels %s", log.levels()).isGreaterThan(AdaptiveLevel.START);
    }

    @Test
    void shippersTakingChunksAtOnceLowerTheLevel() throws Exception {
        LevelLog log = ship(chunk -> { });

        assertThat(log.levels().get(log.levels().size() - 1)).as("levels %s", log.levels()).isLessThan(AdaptiveLevel.START);
        assertThat(Collections.max(log.levels())).as("levels %s", log.levels()).isLessThanOrEqualTo(AdaptiveLevel.START);
    }

    @Test
    void aReceiverWorkingOnEachChunkAfterItArrivedIsNoSlowLink() throws Exception {
        LinkWaits waits = new LinkWaits();
        // the bytes pass at once; the receiver then works ~40 ms on each chunk before it answers, and says how
        // long it worked (measured, as the receiver's answer measures it: a loaded machine's parks overshoot)
        LevelLog log = ship(waits, chunk -> {
            long began = System.nanoTime();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40));
            waits.answeredAfterWork(System.nanoTime() - began);
        });

        assertThat(Collections.max(log.levels())).as("levels %s", log.levels()).isLessThanOrEqualTo(AdaptiveLevel.START);
    }

    private LevelLog ship(Consumer<Chunk> link) throws Exception {
        return ship(new LinkWaits(), link);
    }

    private LevelLog ship(LinkWaits waits, Consumer<Chunk> link) throws Exception {
        return ship(waits, link, SIZE);
    }

    private LevelLog ship(LinkWaits waits, Consumer<Chunk> link, int size) throws Exception {
        Path source = tmp.resolve("notes.txt");
        Files.write(source, text(size));
        LevelLog log = LevelLog.inMemory();
        PackHooks hooks = new PackHooks() {
            @Override
            public LevelLog levels() {
                return log;
            }

            @Override
            public LinkWaits linkWaits() {
                return waits;
            }
        };
        // a sender with CPU to spare: these tests are about the shippers' waits, not a test machine's load
        Packer packer = new Packer(new PackOptions(new AutoCodec(0, SEGMENT, () -> 0.3), 9, CHUNK, "notes"), ProgressListener.NONE,
                hooks);
        try (PackIterator chunks = new PackIterator(packer, List.of(source))) {
            new ChunkShipping(pool, 2, StopSignal.NONE).ship("the test upload", waits, link, chunks);
            assertThat(chunks.manifest().totalChunks()).isGreaterThan(4);
        }
        return log;
    }

    /** Text that compresses about threefold, no two stretches alike. */
    private static byte[] text(int size) {
        Random random = new Random(7);
        String[] words = {"caravan", "desert", "camel", "chunk", "parcel", "zstd", "level", "link", "oasis", "sand"};
        StringBuilder text = new StringBuilder(size + 16);
        while (text.length() < size) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(1000)).append(random.nextBoolean() ? ' ' : '\n');
        }
        return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A link of {@code bytesPerSecond} shared by the shippers: each chunk takes its turn and its time on it,
     * then its answer tells no work of the receiver's (as an upload tells {@link LinkWaits}).
     */
    private static final class SlowLink implements Consumer<Chunk> {
        private final long nanosPerByte;
        private final LinkWaits waits;
        private long free = System.nanoTime();

        SlowLink(long bytesPerSecond, LinkWaits waits) {
            this.nanosPerByte = 1_000_000_000L / bytesPerSecond;
            this.waits = waits;
        }

        @Override
        public void accept(Chunk chunk) {
            long done;
            synchronized (this) {
                free = Math.max(free, System.nanoTime()) + chunk.data().length * nanosPerByte;
                done = free;
            }
            for (long left = done - System.nanoTime(); left > 0; left = done - System.nanoTime()) {
                LockSupport.parkNanos(left); // the bytes are on the wire
            }
            waits.answeredAfterWork(0);
        }
    }
}
