package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extension on an instance field: each test gets a receiver of its own with the options set,
 * publishing into the test's temporary folder, and the receiver of a finished test no longer listens.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunningReceiverTest {

    /** The receiver of the first test, to check in the second that it was stopped. */
    private static ReceiverFixture first;

    @TempDir
    Path tmp;
    @RegisterExtension
    final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");

    @Test
    @Order(1)
    void aTestGetsARunningReceiverWithItsOptionsAndInbox(ReceiverFixture receiver) throws Exception {
        first = receiver;
        assertThat(running.fixture()).isSameAs(receiver);
        assertThat(receiver.inbox()).isEqualTo(tmp.resolve("inbox"));
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);
        assertThat(receiver.post("/start", "{}").statusCode()).as("without the token").isEqualTo(401);
        assertThat(receiver.send("POST", "/start", "{}".getBytes(), "Authorization", "Bearer secret",
                "Content-Type", "application/json").statusCode()).isEqualTo(201);
    }

    @Test
    @Order(2)
    void theReceiverOfAFinishedTestIsStopped(ReceiverFixture receiver) throws Exception {
        assertThat(first).as("the first test ran").isNotNull();
        assertThat(receiver).isNotSameAs(first);
        assertThatThrownBy(() -> first.get("/health")).isInstanceOf(IOException.class);
        assertThat(receiver.get("/health").statusCode()).isEqualTo(200);
    }
}
