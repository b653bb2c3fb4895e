package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ExpectContinueUpload;
import io.caravan.receiver.RawAnswer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver in the launcher's JVM (128 MiB of direct memory, the default direct-memory budget) to
 * which clients start 16 MiB chunk uploads with {@code Expect: 100-continue}, one after the other and
 * each left waiting, until one is refused: that one gets 503 {@code busy} with {@code Retry-After}
 * before it sends any of its body, exactly when the budget has no room for one more; then every
 * upload told {@code 100 Continue} sends its body, all at once, and each is stored: none is refused
 * after it was told to send (no 503, no "out of direct buffer memory"), because the budget leaves
 * the direct memory Netty's socket buffers need beside the bodies it admits.
 */
class UploadsToldToSendAreStoredIT {

    private static final int CHUNK = 16 << 20;
    private static final Pattern BUDGET = Pattern.compile("caravan\\.receiver\\.direct-memory, (\\d+) bytes");

    @TempDir
    Path dir;
    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @Test
    void everyUploadToldToSendIsStoredAndTheOneBeyondTheBudgetIsRefusedBeforeItSends() throws Exception {
        byte[] body = new byte[CHUNK]; // made first: the admitted bodies are sent as soon as one more is refused
        new Random(7).nextBytes(body);
        List<ExpectContinueUpload> admitted = new ArrayList<>();
        ExecutorService writers = Executors.newCachedThreadPool();
        int port = E2e.freePort();
        CaravanProcess serve = processes.serveAsLauncher(dir, port);
        String sid = StalledUploadsIT.startSession(port);
        try {
            RawAnswer refused = null;
            for (int i = 0; refused == null && i < 16; i++) {
                ExpectContinueUpload upload = ExpectContinueUpload.ask(port, sid, i, CHUNK);
                if (upload.continued()) {
                    admitted.add(upload);
                } else {
                    refused = upload.first();
                    upload.close();
                }
            }
            assertThat(refused).as("an upload beyond the budget, after " + admitted.size() + " admitted").isNotNull();
            assertThat(refused.statusLine()).as(refused.body()).startsWith("HTTP/1.1 503");
            StalledUploadsIT.assertBusy(refused.headers().get("retry-after"), refused.body());

            List<Future<RawAnswer>> answers = new ArrayList<>();
            for (ExpectContinueUpload upload : admitted) {
                answers.add(writers.submit(() -> upload.send(body, writers)));
            }
            for (int i = 0; i < answers.size(); i++) {
                RawAnswer answer = answers.get(i).get(60, TimeUnit.SECONDS);
                assertThat(answer.statusLine()).as("chunk %d, told 100 Continue, answered %s", i, answer.body())
                        .startsWith("HTTP/1.1 201");
            }
            Matcher budget = BUDGET.matcher(refused.body());
            assertThat(budget.find()).as(refused.body()).isTrue();
            assertThat(admitted).as("uploads admitted by the budget of %s bytes", budget.group(1))
                    .hasSize((int) (Long.parseLong(budget.group(1)) / CHUNK));
        } finally {
            writers.shutdownNow();
            for (ExpectContinueUpload upload : admitted) {
                upload.close();
            }
        }
        assertThat(serve.log()).doesNotContain("OutOfMemoryError", "out of direct buffer memory");
    }
}
