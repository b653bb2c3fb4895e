package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CaravanHeaders;
import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/outbox.camel.yaml and ship-http.camel.yaml as {@code caravan run --role sender} builds them
 * (packing with xz, slowly, into 64 KiB chunks), with steps in ship-http that throw an {@link Error} for
 * a parcel (as running out of heap or of stack does): one before its chunks are split off, on the
 * outbox's poll thread, one in the upload of each chunk, on the shipping pool. Each parcel struck goes
 * to {@code .failed/} with a note saying what happened and what to do, named in one log line; the
 * outbox goes on polling, so a file dropped after them reaches the real receiver and is moved to
 * {@code .sent/}. The rest of a parcel struck in a chunk is not packed, and the process stops at once.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:application.properties",
        advices = @AdviceRouteMapping(route = "ship-http", advice = OutboxSurvivesAnErrorTest.ErrorForOneParcel.class))
class OutboxSurvivesAnErrorTest {

    @TempDir
    static Path receiving;
    @RegisterExtension
    static final RunningReceiver RECEIVER = RunningReceiver.at(() -> receiving.resolve("inbox"));

    @TempDir
    Path tmp;
    @BeanInject
    CamelContext context;
    static volatile boolean outOfHeap;
    static volatile boolean outOfStack;

    /**
     * Throws an {@link OutOfMemoryError} in ship-http for the parcel {@code poison.txt} before its split,
     * and a {@link StackOverflowError} before the upload of each chunk of {@code deep.txt} and {@code big.bin}.
     */
    public static final class ErrorForOneParcel extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveAddFirst().process(exchange -> {
                if ("poison.txt".equals(exchange.getMessage().getHeader(CaravanHeaders.PARCEL, String.class))) {
                    outOfHeap = true;
                    throw new OutOfMemoryError("Java heap space (thrown by the test)");
                }
            });
            weaveByToString("Bean\\[ref:shipper method:put\\]").before().process(exchange -> {
                String parcel = exchange.getMessage().getHeader(CaravanHeaders.PARCEL, String.class);
                if ("deep.txt".equals(parcel) || "big.bin".equals(parcel)) {
                    outOfStack = true;
                    throw new StackOverflowError();
                }
            });
        }
    }

    @Configure
    void configure(MainConfigurationProperties configuration) {
        YamlRoutes.configure(configuration, YamlRoutes.httpSender(tmp, RECEIVER.fixture().port(),
                "caravan.sender.codec", "xz", "caravan.sender.level", "6"), "outbox", "ship-http");
    }

    @Test
    void aParcelStruckByAnErrorIsMovedToFailedWithANoteAndTheOutboxGoesOn(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        TestTrees.write(staging.resolve("poison.txt"), "fails\n");
        TestTrees.random(staging.resolve("deep.txt"), 200 * 1024, 7); // several 64 KiB chunks
        TestTrees.write(staging.resolve("later.txt"), "sent after them\n");

        try (LoggedWarnings logged = new LoggedWarnings()) {
            Files.move(staging.resolve("poison.txt"), outbox.resolve("poison.txt"), StandardCopyOption.ATOMIC_MOVE);
            awaitFile(outbox.resolve(".failed/poison.txt.error.txt"), "the parcel out of heap moved to .failed");
            assertThat(outOfHeap).isTrue();
            Files.move(staging.resolve("deep.txt"), outbox.resolve("deep.txt"), StandardCopyOption.ATOMIC_MOVE);
            awaitFile(outbox.resolve(".failed/deep.txt.error.txt"), "the parcel out of stack moved to .failed");
            assertThat(outOfStack).isTrue();
            Files.move(staging.resolve("later.txt"), outbox.resolve("later.txt"), StandardCopyOption.ATOMIC_MOVE);
            awaitFile(outbox.resolve(".sent/later.txt"), "the later file sent");

            assertThat(receiver.inbox().resolve("later.txt")).hasContent("sent after them");
            assertThat(outbox.resolve(".failed/poison.txt")).hasContent("fails");
            assertThat(outbox.resolve(".failed/deep.txt")).exists();
            assertThat(outbox.resolve("poison.txt")).doesNotExist();
            assertThat(outbox.resolve("deep.txt")).doesNotExist();
            assertThat(outbox.resolve(".sent/poison.txt")).doesNotExist();
            assertThat(outbox.resolve(".sent/deep.txt")).doesNotExist();
            assertThat(Files.readString(outbox.resolve(".failed/poison.txt.error.txt")))
                    .contains("ran out of memory").contains("JAVA_OPTS=-Xmx").contains("move the parcel back into the outbox");
            assertThat(Files.readString(outbox.resolve(".failed/deep.txt.error.txt")))
                    .contains("ran out of stack").contains("JAVA_OPTS=-Xss").contains("move the parcel back into the outbox");
            Thread.sleep(1500); // a poll or two after them: nothing more is said about them
            assertThat(logged.containing("poison.txt")).as("the lines naming poison.txt").hasSize(1)
                    .allSatisfy(line -> assertThat(line).contains("ran out of memory").contains(".failed").doesNotContain("\n"));
            assertThat(logged.containing("deep.txt")).as("the lines naming deep.txt").hasSize(1)
                    .allSatisfy(line -> assertThat(line).contains("ran out of stack").doesNotContain("\n"));
        }
    }

    /**
     * Camel's splitter, stopping on the failed chunk, goes through the chunks it did not send (to release
     * their exchanges): the shipping thread packed the whole rest of the parcel first, 8 MiB here, which
     * held the parcel's exchange, and the stop, for as long (5 s); a thread of the pool could be left
     * waiting for a chunk for good, and the stop then waited 10 s for it.
     */
    @Test
    void theRestOfAParcelStruckByAnErrorIsNotPackedAndTheProcessStopsPromptly(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        TestTrees.random(staging.resolve("big.bin"), 8 * 1024 * 1024, 11);
        TestTrees.write(staging.resolve("later.txt"), "sent after it\n");

        Files.move(staging.resolve("big.bin"), outbox.resolve("big.bin"), StandardCopyOption.ATOMIC_MOVE);
        awaitFile(outbox.resolve(".failed/big.bin.error.txt"), "the parcel out of stack moved to .failed");
        Files.move(staging.resolve("later.txt"), outbox.resolve("later.txt"), StandardCopyOption.ATOMIC_MOVE);
        awaitFile(outbox.resolve(".sent/later.txt"), "the later file sent");
        assertThat(receiver.inbox().resolve("later.txt")).hasContent("sent after it");

        long start = System.nanoTime();
        context.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the time the stop took").isLessThan(Duration.ofSeconds(3));
    }

    private static void awaitFile(Path file, String what) {
        Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(file));
    }
}
