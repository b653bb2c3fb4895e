package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.util.DirectMemoryBudget;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients of one address that trickle their upload bodies just over {@code caravan.receiver.min-body-rate}
 * (2 KiB/s where 1 KiB/s is asked) and so hold most of the receiver's direct-memory budget cannot keep an
 * honest upload out: once an upload waits for room, a body too slow to arrive whole within
 * {@code caravan.receiver.busy-body-time} of its head is cut with 408 {@code request_timeout} naming the
 * setting, its memory freed, and the waiting upload gets in on its next try (a trickled body nobody
 * waits for goes on); a slow but steady body (1 MiB in about 8 s where 10 s are allowed, as 16 MiB in
 * 48 s, 2.8 Mbit/s, where a minute is) is stored beside them, never cut. Clients that start a trickled
 * body again as soon as one is cut cannot take the room back ahead of another address's upload: while
 * that one waits, the bodies of theirs hold at most {@code caravan.receiver.address-share} (half) of the budget.
 */
class TrickledUploadsGiveWayTest {

    private static final int CHUNK = 1 << 20;
    private static final int HONEST = 5 << 19; // 2.5 MiB
    private static final int TRICKLERS = 3;

    @TempDir
    Path tmp;
    private ReceiverFixture receiver;
    private DirectMemoryBudget memory;
    private final ExecutorService clients = Executors.newCachedThreadPool();

    /**
     * Starts the receiver, a body's pace 10 s while uploads wait ({@link #memory} its budget), and a session on it;
     * the session's id.
     */
    private String startSession(String maxChunkSize, String directMemory) throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.max-chunk-size", maxChunkSize,
                "caravan.receiver.direct-memory", directMemory, "caravan.receiver.busy-body-time", "10s"));
        memory = receiver.context().getRegistry().lookupByNameAndType(DirectMemoryBudget.BEAN, DirectMemoryBudget.class);
        return ReceiverCalls.ok(receiver.post("/start", "{\"codec\":\"zstd\",\"name\":\"trickled\"}"), 201)
                .get("session_id").asText();
    }

    @AfterEach
    void stop() throws Exception {
        clients.shutdownNow();
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void trickledBodiesGiveWayToAWaitingUploadAndASteadyOneIsStored() throws Exception {
        // room for the four 1 MiB bodies and 1 MiB more, too little for the honest body even once the steady one is stored
        String sid = startSession("3MiB", "5MiB");
        byte[] body = new byte[CHUNK];
        byte[] honestBody = new byte[HONEST];

        List<ExpectContinueUpload> uploads = new ArrayList<>();
        List<Future<RawAnswer>> trickled = new ArrayList<>();
        try {
            for (int i = 0; i < TRICKLERS; i++) {
                ExpectContinueUpload upload = ExpectContinueUpload.ask(receiver.port(), sid, i, CHUNK);
                uploads.add(upload);
                assertThat(upload.continued()).as(upload.first().body()).isTrue();
                // 256 bytes every 125 ms: 2 KiB/s, twice the minimum rate; the whole body would take 8.5 minutes
                trickled.add(clients.submit(() -> upload.send(body, 256, Duration.ofMillis(125), clients)));
            }
            ExpectContinueUpload steadyUpload = ExpectContinueUpload.ask(receiver.port(), sid, TRICKLERS, CHUNK);
            uploads.add(steadyUpload);
            assertThat(steadyUpload.continued()).as(steadyUpload.first().body()).isTrue();
            // 16 KiB every 125 ms: 128 KiB/s, the whole body in 8 s
            Future<RawAnswer> steady = clients.submit(() -> steadyUpload.send(body, 16 << 10, Duration.ofMillis(125), clients));
            await("the budget full").atMost(Duration.ofSeconds(2)).until(memory::held, held -> held == 4L * CHUNK);

            long firstTry = System.nanoTime();
            RawAnswer honest = null;
            int tries = 0;
            while (honest == null && System.nanoTime() - firstTry < Duration.ofSeconds(30).toNanos()) {
                tries++;
                try (ExpectContinueUpload upload = ExpectContinueUpload.ask(receiver.port(), sid, TRICKLERS + 1, HONEST)) {
                    if (upload.continued()) {
                        honest = upload.send(honestBody, null);
                    } else {
                        assertThat(upload.first().statusLine()).as(upload.first().body()).startsWith("HTTP/1.1 503");
                        String retryAfter = upload.first().headers().get("retry-after");
                        Thread.sleep(Math.min(2000, Long.parseLong(retryAfter) * 1000)); // as a sender backs off, briefly
                    }
                }
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - firstTry);
            System.out.println("the honest upload waited " + waited.toMillis() + " ms, " + tries + " tries");
            assertThat(honest).as("the honest upload admitted within 30 s (" + tries + " tries)").isNotNull();
            assertThat(honest.statusLine()).as(honest.body()).startsWith("HTTP/1.1 201");
            assertThat(waited).as("how long the honest upload waited for room").isLessThan(Duration.ofSeconds(15));

            int cut = 0;
            for (Future<RawAnswer> answer : trickled) {
                if (!answer.isDone()) {
                    continue; // still read: once the honest upload had room, nobody waited for its memory
                }
                cut++;
                RawAnswer timedOut = answer.get();
                assertThat(timedOut.statusLine()).as(timedOut.body()).startsWith("HTTP/1.1 408");
                JsonNode json = ReceiverCalls.JSON.readTree(timedOut.body());
                assertThat(json.path("error").asText()).isEqualTo("request_timeout");
                assertThat(json.path("message").asText()).contains("caravan.receiver.busy-body-time",
                        "caravan.receiver.direct-memory");
            }
            assertThat(cut).as("trickled bodies cut to make room").isPositive();
            RawAnswer stored = steady.get(20, TimeUnit.SECONDS);
            assertThat(stored.statusLine()).as("the steady upload: " + stored.body()).startsWith("HTTP/1.1 201");
        } finally {
            for (ExpectContinueUpload upload : uploads) {
                upload.close();
            }
        }
        await("every reservation given back").atMost(Duration.ofSeconds(5)).until(memory::held, held -> held == 0);
        assertThat(ReceiverCalls.ok(receiver.get("/status/" + sid), 200).get("received")).hasSize(2);
    }

    @Test
    void bodiesTrickledAgainAndAgainFromOneAddressLeaveRoomForAnother() throws Exception {
        // room for four 1 MiB bodies; one address holds at most half of it while uploads wait
        String sid = startSession("1MiB", "4MiB");
        byte[] body = new byte[CHUNK];
        List<String> cuts = new CopyOnWriteArrayList<>();
        AtomicBoolean trickling = new AtomicBoolean(true);
        for (int i = 0; i < 4; i++) {
            int index = i;
            clients.submit(() -> {
                while (trickling.get()) { // as soon as one is cut or refused, the next: 2 KiB/s, 8.5 minutes a body
                    try (ExpectContinueUpload upload = ExpectContinueUpload.ask(receiver.port(), sid, index, CHUNK)) {
                        RawAnswer answer = upload.send(body, 256, Duration.ofMillis(125), clients);
                        if (answer.statusLine().startsWith("HTTP/1.1 408")) {
                            cuts.add(answer.body());
                        } else {
                            Thread.sleep(100);
                        }
                    }
                }
                return null;
            });
        }
        await("the budget full").atMost(Duration.ofSeconds(2)).until(memory::held, held -> held == 4L * CHUNK);

        InetAddress other = InetAddress.getByName("127.0.0.2");
        long firstTry = System.nanoTime();
        RawAnswer honest = null;
        while (honest == null && System.nanoTime() - firstTry < Duration.ofSeconds(30).toNanos()) {
            try (ExpectContinueUpload upload = ExpectContinueUpload.ask(receiver.port(), sid, 4, CHUNK, other)) {
                if (upload.continued()) {
                    honest = upload.send(body, null);
                } else {
                    Thread.sleep(1000);
                }
            }
        }
        trickling.set(false);
        Duration waited = Duration.ofNanos(System.nanoTime() - firstTry);
        assertThat(honest).as("the upload from another address admitted within 30 s; bodies cut: " + cuts.size()).isNotNull();
        assertThat(honest.statusLine()).as(honest.body()).startsWith("HTTP/1.1 201");
        assertThat(waited).as("how long the other address's upload waited for room").isLessThan(Duration.ofSeconds(15));
        assertThat(cuts).isNotEmpty().allSatisfy(cut -> assertThat(cut).contains("caravan.receiver.busy-body-time"));
    }
}
