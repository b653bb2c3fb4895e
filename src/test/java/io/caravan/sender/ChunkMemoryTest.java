package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Parcels take turns for a {@link ChunkMemory}: a reservation the budget cannot hold waits until
 * enough is given back, reservations are served in the order asked, and a raised stop ends a wait.
 */
class ChunkMemoryTest {

    private static final long MIB = 1 << 20;

    @Test
    void aReservationWaitsUntilTheBudgetHasItsBytes() throws Exception {
        ChunkMemory memory = new ChunkMemory(64 * MIB);
        ChunkMemory.Reservation first = memory.reserve(40 * MIB, StopSignal.NONE, "first");
        CompletableFuture<ChunkMemory.Reservation> second = CompletableFuture.supplyAsync(() -> reserve(memory, 40 * MIB, "second"));

        Thread.sleep(300);
        assertThat(second).as("the second parcel waits while the first holds its memory").isNotDone();
        first.close();
        second.get(5, TimeUnit.SECONDS).close();
        assertThat(memory.free()).isEqualTo(64 * MIB);
    }

    @Test
    void aLargeReservationWaitingIsNotOvertakenBySmallOnes() throws Exception {
        ChunkMemory memory = new ChunkMemory(64 * MIB);
        ChunkMemory.Reservation held = memory.reserve(32 * MIB, StopSignal.NONE, "held");
        List<String> served = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> large = CompletableFuture.runAsync(() -> {
            try (ChunkMemory.Reservation taken = reserve(memory, 64 * MIB, "large")) {
                served.add("large"); // noted while held: the small one cannot have its turn before this
            }
        });
        Thread.sleep(200);
        CompletableFuture<Void> small = CompletableFuture.runAsync(() -> {
            try (ChunkMemory.Reservation taken = reserve(memory, MIB, "small")) {
                served.add("small");
            }
        });

        Thread.sleep(300);
        assertThat(small).as("the small parcel would fit, but waits for the large one asked before it").isNotDone();
        held.close();
        CompletableFuture.allOf(large, small).get(5, TimeUnit.SECONDS);
        assertThat(served).containsExactly("large", "small");
    }

    @Test
    void aReservationAboveTheBudgetTakesItAll() throws Exception {
        ChunkMemory memory = new ChunkMemory(16 * MIB);
        try (ChunkMemory.Reservation all = memory.reserve(32 * MIB, StopSignal.NONE, "big")) {
            assertThat(memory.free()).isZero();
        }
        assertThat(memory.free()).isEqualTo(16 * MIB);
    }

    @Test
    void aRaisedStopEndsTheWait() throws Exception {
        ChunkMemory memory = new ChunkMemory(8 * MIB);
        ChunkMemory.Reservation held = memory.reserve(8 * MIB, StopSignal.NONE, "held");
        StopSignal stop = new StopSignal();
        CompletableFuture<ChunkMemory.Reservation> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.reserve(MIB, stop, "the waiting parcel");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        stop.raise();

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TransferStoppedException.class);
        held.close();
        assertThat(memory.free()).as("nothing is kept by the wait that ended").isEqualTo(8 * MIB);
    }

    @Test
    void aSmallParcelReservesLittleAndALargeOneItsChunksInFlight() {
        SenderSettings sync = new SenderSettings("http://127.0.0.1:1", null,
                new PackOptions(Codecs.byName("none"), 0, 8 * MIB, "m"), 1, -1, null, Retry.MIRROR);
        assertThat(sync.chunkMemory(10_000)).isEqualTo(2 * MIB);
        assertThat(sync.chunkMemory(30_000_000)).isEqualTo(4 * 8 * MIB);
        assertThat(sync.chunkMemory(Long.MAX_VALUE)).isEqualTo(4 * 8 * MIB);
    }

    private static ChunkMemory.Reservation reserve(ChunkMemory memory, long bytes, String what) {
        try {
            return memory.reserve(bytes, StopSignal.NONE, what);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
