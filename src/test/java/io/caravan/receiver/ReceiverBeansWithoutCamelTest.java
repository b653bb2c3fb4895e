package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.session.ChunkBody;
import io.caravan.session.RequestRejectedException;
import io.caravan.session.SessionLimits;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.caravan.util.Sha256;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's beans are plain Java: typed requests in, typed answers out, no Camel and no HTTP.
 * A raw parcel is started, uploaded out of order, published once, and a repeated finish or a
 * status after the publish gets the same result.
 */
class ReceiverBeansWithoutCamelTest {

    @TempDir
    Path tmp;

    @Test
    void aRawParcelIsPublishedOnceAndItsResultKept() throws Exception {
        Path inbox = tmp.resolve("inbox");
        ReceiverConfig config = new ReceiverConfig(inbox, Duration.ofDays(1), new SessionLimits(1 << 20, 64, 1L << 30, 0, false, 0),
                1L << 20, OnConflict.REPLACE, ExtractPolicy.DEFAULT, Duration.ofDays(1));
        try (Receiver receiver = new Receiver(config, new SimpleMeterRegistry(), Clock.systemUTC())) {
            Sessions sessions = receiver.sessions();
            String sid = sessions.start(new StartRequest("notes.txt", null, null, null, null, null, false, false)).sessionId();
            sessions.upload(new ChunkUpload(sid, 1, body("world"), null));
            sessions.upload(new ChunkUpload(sid, 0, body("hello "), null));
            assertThat(sessions.status(sid)).isInstanceOfSatisfying(SessionStatus.Open.class,
                    open -> assertThat(open.received()).containsExactly(0, 1));

            Published published = receiver.publishing().finish(new FinishRequest(sid, null));

            byte[] whole = "hello world".getBytes(StandardCharsets.UTF_8);
            assertThat(published).isEqualTo(new Published("notes.txt", 1, whole.length, Sha256.of(whole, 0, whole.length)));
            assertThat(Files.readString(inbox.resolve("notes.txt"))).isEqualTo("hello world");
            assertThat(receiver.publishing().finish(new FinishRequest(sid, null))).isEqualTo(published);
            assertThat(sessions.status(sid)).isEqualTo(new SessionStatus.Finished(sid, published));
        }
    }

    @Test
    void aSessionOfAnUnknownKindIsRefused() throws Exception {
        ReceiverConfig config = new ReceiverConfig(tmp.resolve("inbox"), Duration.ofDays(1),
                new SessionLimits(1 << 20, 64, 1L << 30, 0, false, 0), 1L << 20, OnConflict.REPLACE, ExtractPolicy.DEFAULT,
                Duration.ofDays(1));
        try (Receiver receiver = new Receiver(config, new SimpleMeterRegistry(), Clock.systemUTC())) {
            assertThatThrownBy(() -> receiver.sessions().start(new StartRequest(null, null, "zip", null, null, null, false, false)))
                    .isInstanceOfSatisfying(RequestRejectedException.class, e -> {
                        assertThat(e.code()).isEqualTo("bad_request");
                        assertThat(e.getMessage()).isEqualTo("kind must be raw or archive, not 'zip'");
                    });
            assertThat(receiver.sessions().cleanup()).isEmpty();
        }
    }

    private static ChunkBody body(String text) {
        return ChunkBody.of(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
}
