package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.session.ChunkBody;
import io.caravan.session.SessionLimits;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Sessions#progress} tells how far each open session got (chunks and bytes stored, start time,
 * the sender's size hint, which survives a restart), and {@link Receiver#bytesReceived} counts every
 * chunk byte stored; a finished or deleted session leaves the list.
 */
class SessionProgressTest {

    @TempDir
    Path tmp;

    private Receiver receiver() throws Exception {
        ReceiverConfig config = new ReceiverConfig(tmp.resolve("inbox"), Duration.ofDays(1),
                new SessionLimits(1 << 20, 64, 1L << 30, 0, false, 0), 1L << 20, OnConflict.REPLACE, ExtractPolicy.DEFAULT,
                Duration.ofDays(1));
        return new Receiver(config, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    private static ChunkUpload chunk(String sid, int index, int size) {
        return new ChunkUpload(sid, index, ChunkBody.of(ByteBuffer.wrap(new byte[size])), null);
    }

    @Test
    void anOpenSessionReportsItsChunksBytesStartAndSize() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String sid;
        try (Receiver receiver = receiver()) {
            Sessions sessions = receiver.sessions();
            sid = sessions.start(new StartRequest("big.bin", null, "raw", 1000L, null, null, false, false, 5000L)).sessionId();
            sessions.upload(chunk(sid, 0, 1000));
            sessions.upload(chunk(sid, 3, 1000));

            assertThat(sessions.progress()).singleElement().satisfies(p -> {
                assertThat(p.id()).isEqualTo(sid);
                assertThat(p.name()).isEqualTo("big.bin");
                assertThat(p.kind()).isEqualTo("raw");
                assertThat(p.chunks()).isEqualTo(2);
                assertThat(p.bytes()).isEqualTo(2000);
                assertThat(p.expectedBytes()).isEqualTo(5000);
                assertThat(p.startedAt()).isBetween(before, Instant.now());
            });
            assertThat(receiver.bytesReceived()).isEqualTo(2000);
        }
        try (Receiver restarted = receiver()) {
            assertThat(restarted.sessions().progress()).singleElement()
                    .satisfies(p -> assertThat(p.expectedBytes()).isEqualTo(5000));
            restarted.sessions().delete(sid);
            assertThat(restarted.sessions().progress()).isEmpty();
        }
    }

    @Test
    void aSessionWithoutASizeHasNone() throws Exception {
        try (Receiver receiver = receiver()) {
            receiver.sessions().start(new StartRequest(null, null, null, null, null, null, false, false));

            assertThat(receiver.sessions().progress()).singleElement().satisfies(p -> {
                assertThat(p.expectedBytes()).isNull();
                assertThat(p.bytes()).isZero();
            });
        }
    }
}
