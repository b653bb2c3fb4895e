package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.session.RequestRejectedException;
import org.junit.jupiter.api.Test;

/**
 * The heap budget of JSON requests on its own: each request reserves {@link JsonMemory#HEAP_PER_BODY_BYTE}
 * times its body, a request it has no room for now is 503 {@code busy}, one it could never hold 413, and a
 * request's heap comes back only once both its route's work and its answer are over.
 */
class JsonMemoryTest {

    @Test
    void reservesAMultipleOfTheBodyAndRefusesWhatHasNoRoomNow() {
        JsonMemory memory = new JsonMemory(1000);

        long first = memory.reserve(100);
        long second = memory.reserve(100);

        assertThat(first).isEqualTo(100L * JsonMemory.HEAP_PER_BODY_BYTE);
        assertThat(memory.held()).isEqualTo(first + second);
        assertThatThrownBy(() -> memory.reserve(100)).isInstanceOfSatisfying(RequestRejectedException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("busy");
            assertThat(e.getMessage()).contains(JsonMemory.SETTING, "retry later");
        });
        assertThat(memory.held()).as("a refusal takes nothing").isEqualTo(first + second);

        memory.release(first);
        assertThat(memory.reserve(100)).isEqualTo(first);
    }

    @Test
    void aBodyLargerThanTheWholeBudgetCouldNeverFit() {
        JsonMemory memory = new JsonMemory(1000);

        assertThatThrownBy(() -> memory.reserve(251)).isInstanceOfSatisfying(RequestRejectedException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(413);
            assertThat(e.code()).isEqualTo("body_too_large");
            assertThat(e.getMessage()).contains("251 bytes", JsonMemory.SETTING, "several requests");
        });
        assertThat(memory.reserve(250)).as("all of it, when nothing else holds any").isEqualTo(1000);
    }

    @Test
    void theDefaultIsHalfTheHeap() {
        assertThat(JsonMemory.defaultLimit()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
    }

    @Test
    void aRequestsHeapComesBackOnceItsWorkAndItsAnswerAreBothOver() {
        JsonMemory memory = new JsonMemory(1000);
        ReservedHeap answeredFirst = new ReservedHeap(memory, memory.reserve(50));
        ReservedHeap workedFirst = new ReservedHeap(memory, memory.reserve(50));

        assertThat(answeredFirst.workStarts()).isTrue();
        answeredFirst.answered(); // its client hung up while the route still reads its body
        assertThat(memory.held()).isEqualTo(400);
        answeredFirst.workEnds();
        assertThat(memory.held()).isEqualTo(200);

        assertThat(workedFirst.workStarts()).isTrue();
        workedFirst.workEnds();
        assertThat(memory.held()).isEqualTo(200);
        workedFirst.answered();
        workedFirst.answered();
        assertThat(memory.held()).as("given back once").isZero();
    }

    @Test
    void aRequestWhoseClientLeftBeforeItsWorkBeganTakesItsHeapAgainOrIsDropped() {
        JsonMemory memory = new JsonMemory(1000);
        ReservedHeap waiting = new ReservedHeap(memory, memory.reserve(200));
        waiting.answered(); // the connection closed while the request waited for a route
        assertThat(memory.held()).isZero();

        ReservedHeap other = new ReservedHeap(memory, memory.reserve(200));
        assertThat(waiting.workStarts()).as("no room to take it again").isFalse();
        other.answered();
        assertThat(waiting.workStarts()).isTrue();
        assertThat(memory.held()).isEqualTo(800);
        waiting.workEnds();
        assertThat(memory.held()).isZero();
    }
}
