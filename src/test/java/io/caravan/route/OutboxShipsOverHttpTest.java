package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/outbox.camel.yaml and routes/ship-http.camel.yaml in process, as {@code caravan run --role sender}
 * builds them: a file dropped into the outbox is picked up, shipped in 64 KiB chunks to a real
 * receiver on 127.0.0.1, published in its inbox byte for byte, and moved to the outbox's {@code .sent/}.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:application.properties")
class OutboxShipsOverHttpTest {

    @TempDir
    static Path receiving;
    @RegisterExtension
    static final RunningReceiver RECEIVER = RunningReceiver.at(() -> receiving.resolve("inbox"));

    @TempDir
    Path tmp;
    @BeanInject
    CamelContext context;

    @Configure
    void configure(MainConfigurationProperties configuration) {
        YamlRoutes.configure(configuration, YamlRoutes.httpSender(tmp, RECEIVER.fixture().port()), "outbox", "ship-http");
    }

    @Test
    void aDroppedFileIsShippedToTheReceiverAndMovedToSent(ReceiverFixture receiver) throws Exception {
        NotifyBuilder shipped = new NotifyBuilder(context).fromRoute("outbox-pickup").wereSentTo("direct:ship-http")
                .whenCompleted(1).create();
        NotifyBuilder failed = new NotifyBuilder(context).fromRoute("outbox-pickup").whenFailed(1).create();
        Path report = Files.createDirectories(tmp.resolve("staging")).resolve("report.bin");
        TestTrees.random(report, 300_000, 3);
        byte[] content = Files.readAllBytes(report);

        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Files.move(report, outbox.resolve("report.bin"), StandardCopyOption.ATOMIC_MOVE);

        assertThat(shipped.matches(60, TimeUnit.SECONDS)).as("outbox-pickup completed through direct:ship-http").isTrue();
        assertThat(failed.matches()).as("no exchange failed").isFalse();
        assertThat(receiver.inbox().resolve("report.bin")).hasBinaryContent(content);
        assertThat(outbox.resolve(".sent/report.bin")).hasBinaryContent(content);
        assertThat(outbox.resolve("report.bin")).doesNotExist();
        assertThat(outbox.resolve(".failed")).doesNotExist();
    }

    @Test
    void aParcelSentAgainUnderTheSameNameKeepsTheEarlierSentCopyAsAVersion(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        for (String content : new String[] {"monday\n", "tuesday\n"}) {
            NotifyBuilder shipped = new NotifyBuilder(context).fromRoute("outbox-pickup").whenCompleted(1).create();
            TestTrees.write(staging.resolve("daily.txt"), content);
            Path folder = Files.createDirectories(staging.resolve("daily-folder"));
            TestTrees.write(folder.resolve("note.txt"), content);
            Files.move(staging.resolve("daily.txt"), outbox.resolve("daily.txt"), StandardCopyOption.ATOMIC_MOVE);
            assertThat(shipped.matches(60, TimeUnit.SECONDS)).as("the file sent (" + content.trim() + ")").isTrue();
            NotifyBuilder folderShipped = new NotifyBuilder(context).fromRoute("outbox-pickup").whenCompleted(1).create();
            Files.move(folder, outbox.resolve("daily-folder"), StandardCopyOption.ATOMIC_MOVE);
            Files.createFile(outbox.resolve("daily-folder.ready"));
            assertThat(folderShipped.matches(60, TimeUnit.SECONDS)).as("the folder sent (" + content.trim() + ")").isTrue();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> !Files.exists(outbox.resolve("daily-folder")));
        }

        assertThat(outbox.resolve(".sent/daily.txt")).hasContent("tuesday");
        assertThat(outbox.resolve(".sent/daily-folder/note.txt")).hasContent("tuesday");
        assertThat(TestTrees.keptVersions(outbox, ".sent/daily.txt")).containsExactly("monday\n");
        assertThat(TestTrees.keptVersions(outbox, ".sent/daily-folder/note.txt")).containsExactly("monday\n");
    }
}
