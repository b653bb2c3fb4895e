package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.json;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.smallParcel;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.util.TreeSnapshot;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sessions that publish the same name at once: whichever publish lands last is what the inbox holds, and
 * the catalog ({@code GET /parcels}) describes that one, never the other (whose content is kept as a version).
 * Before, the swap into place and the catalog's record were two steps with no lock on the name, and the records
 * could land in the other order than the swaps.
 */
class SameNamePublishesRecordTheOneInPlaceTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver running = RunningReceiver.at(() -> tmp.resolve("inbox"));

    @Test
    void theCatalogDescribesThePublishInPlace(ReceiverFixture receiver) throws Exception {
        for (int round = 0; round < 25; round++) {
            String name = "race-" + round;
            Parcel small = smallParcel(tmp, name + "-a", 10_000 + round, round);
            Parcel large = smallParcel(tmp, name + "-b", 200_000 + round, 1000 + round);
            String a = startArchive(receiver, name);
            String b = startArchive(receiver, name);
            putAll(receiver, a, small, range(0, small.count()));
            putAll(receiver, b, large, range(0, large.count()));
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> call(() -> finish(receiver, a, small)));
            CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> call(() -> finish(receiver, b, large)));
            assertThat(List.of(first.join().statusCode(), second.join().statusCode())).containsOnly(200);

            Path published = receiver.inbox().resolve(name);
            Parcel inPlace = TreeSnapshot.of(small.source()).differences(TreeSnapshot.of(published)).isEmpty() ? small : large;
            JsonNode listed = json(receiver.get("/parcels?prefix=" + name)).get("parcels").get(0);
            assertThat(listed.get("sha256").asText()).as("round %d: the catalog of what the inbox holds", round)
                    .isEqualTo(inPlace.manifest().sha256());
        }
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
