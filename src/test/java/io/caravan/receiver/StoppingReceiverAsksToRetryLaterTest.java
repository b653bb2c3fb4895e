package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver that is being stopped answers a new upload with 503, a JSON reason and Retry-After (a
 * sender retries that later, and resumes from the chunks stored), never with a final refusal.
 */
class StoppingReceiverAsksToRetryLaterTest {

    @TempDir
    Path tmp;

    @Test
    void anUploadArrivingWhileTheReceiverStopsIsAskedToRetryLater() throws Exception {
        ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"));
        String sid = ReceiverCalls.startArchive(receiver, "late");
        CountDownLatch stopping = new CountDownLatch(1);
        CountDownLatch answered = new CountDownLatch(1);
        // holds the stop at its first step, while the HTTP routes still run, until the upload is answered
        receiver.context().getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) throws InterruptedException {
                stopping.countDown();
                answered.await(30, TimeUnit.SECONDS);
            }
        });
        CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> {
            try {
                receiver.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThat(stopping.await(30, TimeUnit.SECONDS)).as("the receiver began to stop").isTrue();
            HttpResponse<String> upload = ReceiverCalls.put(receiver, sid, 0, new byte[100_000]);
            ReceiverCalls.error(upload, 503, "stopping");
            assertThat(upload.headers().firstValue("Retry-After")).isPresent();
            assertThat(upload.body()).contains("retry later");
        } finally {
            answered.countDown();
            stop.get(60, TimeUnit.SECONDS);
        }
    }
}
