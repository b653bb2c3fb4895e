package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.chunks;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.finishWith;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.session.postgres.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two receivers (two Camel contexts, two ports) over one PostgreSQL database, one chunk folder and one
 * inbox: any node takes any chunk and finishes any session, and a finish sent to both at once publishes once.
 */
class ClusteredReceiversTest {

    @TempDir
    Path tmp;

    private String url;
    private ReceiverFixture a;
    private ReceiverFixture b;

    @BeforeEach
    void startTwoNodes() throws Exception {
        url = TestDatabase.newDatabase();
        Map<String, String> shared = Map.of("caravan.receiver.store", "postgres",
                "caravan.receiver.db.url", url,
                "caravan.receiver.db.user", TestDatabase.USER,
                "caravan.receiver.chunk-dir", tmp.resolve("chunks").toString());
        a = new ReceiverFixture(tmp.resolve("inbox"), shared);
        b = new ReceiverFixture(tmp.resolve("inbox"), shared);
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
    }

    @Test
    void chunksAlternatingBetweenNodesAreFinishedOnEither() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "alternating", 400_000, 7);
        assertThat(parcel.count()).isGreaterThan(3);
        String sid = startArchive(a, "alternating");
        for (int i = 0; i < parcel.count(); i++) {
            ok(put(i % 2 == 0 ? a : b, sid, i, parcel.part(i)), 201);
        }
        ok(put(b, sid, 0, parcel.part(0)), 200); // sent again to the other node: already there
        JsonNode onA = ok(status(a, sid), 200);
        assertThat(chunks(onA)).as("node a lists the chunks node b stored").hasSize(parcel.count());
        assertPublished(b, finish(b, sid, parcel), parcel, "alternating");
        JsonNode again = ok(finish(a, sid, parcel), 200);
        assertThat(again.get("path").asText()).as("a repeated finish on the other node").isEqualTo("alternating");
    }

    @Test
    void publishOptionsAFinishGaveOnOneNodeHoldOnTheOther() throws Exception {
        ReceiverCalls.Parcel first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        ReceiverCalls.Parcel second = ReceiverCalls.smallParcel(tmp, "second", 130_000, 2);
        String sid = startArchive(a, "shared", Map.of());
        putAll(a, sid, first, range(0, first.count()));
        assertPublished(a, finish(a, sid, first), first, "shared");
        String later = startArchive(b, "shared", Map.of("on_conflict", "fail")); // node b holds it with "fail"
        putAll(b, later, second, range(1, second.count()));

        error(finishWith(a, later, second, "?on_conflict=rename"), 409, null); // chunk 0 is missing
        ok(put(b, later, 0, second.part(0)), 201);

        assertPublished(b, finish(b, later, second), second, "shared (1)");
    }

    @Test
    void aFinishSentToBothNodesAtOncePublishesOnceAndBothAnswerTheSame() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "both" + round, 300_000, round);
                String sid = startArchive(round % 2 == 0 ? a : b, "both" + round);
                for (int i = 0; i < parcel.count(); i++) {
                    ok(put(i % 2 == 0 ? b : a, sid, i, parcel.part(i)), 201);
                }
                List<Future<HttpResponse<String>>> finishes = new ArrayList<>();
                for (ReceiverFixture node : List.of(a, b)) {
                    finishes.add(senders.submit(() -> finish(node, sid, parcel)));
                }
                JsonNode first = ok(finishes.get(0).get(), 200);
                JsonNode second = ok(finishes.get(1).get(), 200);
                assertThat(second).as("both nodes answer the one publish").isEqualTo(first);
                assertThat(first.get("path").asText()).isEqualTo("both" + round);
            }
        } finally {
            senders.shutdownNow();
        }
        Path versions = tmp.resolve("inbox/.caravan/versions");
        if (Files.isDirectory(versions)) {
            try (Stream<Path> kept = Files.walk(versions)) {
                assertThat(kept.filter(Files::isRegularFile).toList()).as("no publish replaced another").isEmpty();
            }
        }
    }

    @Test
    void aFinishThatLooksTheSessionUpAfterTheOtherNodePublishedItAnswersThatPublish() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "late", 200_000, 21);
        String sid = startArchive(a, "late");
        putAll(b, sid, parcel, range(0, parcel.count())); // node b holds the session too
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try (HeldLookup onB = HeldLookup.of(b, sid, sender, () -> finish(b, sid, parcel))) { // b found no result yet
            JsonNode onA = assertPublished(a, finish(a, sid, parcel), parcel, "late");
            // b looks the session up now: a published and removed it
            assertThat(ok(onB.answer(), 200)).as("node b answers the publish node a made").isEqualTo(onA);
        } finally {
            sender.shutdownNow();
        }
        error(b.post("/finish/0123456789abcdef0123456789abcdef", "{}"), 404, "session_not_found");
    }

    @Test
    void aPublishIsRecordedInTheSharedCatalogAndListedByTheOtherNode() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "listed", 100_000, 11);
        String sid = startArchive(a, "listed");
        for (int i = 0; i < parcel.count(); i++) {
            ok(put(a, sid, i, parcel.part(i)), 201);
        }
        ok(finish(a, sid, parcel), 200);
        try (Connection c = DriverManager.getConnection(url, TestDatabase.USER, "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT generation FROM caravan_parcel WHERE name = 'listed'")) {
            assertThat(rs.next()).as("the publish's record is a row of the shared catalog").isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
        JsonNode listed = ok(b.get("/parcels"), 200);
        assertThat(listed.toString()).as("node b lists it").contains("\"listed\"");
    }

    /** As {@link SameNamePublishesRecordTheOneInPlaceTest}, with the two finishes on two nodes: the name's lock is the cluster's. */
    @Test
    void twoNodesPublishingOneNameAtOnceRecordTheOneInPlace() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String name = "race-" + round;
                ReceiverCalls.Parcel small = ReceiverCalls.smallParcel(tmp, name + "-a", 10_000 + round, round);
                ReceiverCalls.Parcel large = ReceiverCalls.smallParcel(tmp, name + "-b", 200_000 + round, 1000 + round);
                String first = startArchive(a, name);
                String second = startArchive(b, name);
                putAll(a, first, small, range(0, small.count()));
                putAll(b, second, large, range(0, large.count()));
                Future<HttpResponse<String>> onA = pool.submit(() -> finish(a, first, small));
                Future<HttpResponse<String>> onB = pool.submit(() -> finish(b, second, large));
                assertThat(List.of(onA.get().statusCode(), onB.get().statusCode())).containsOnly(200);

                Path published = a.inbox().resolve(name);
                ReceiverCalls.Parcel inPlace = io.caravan.util.TreeSnapshot.of(small.source())
                        .differences(io.caravan.util.TreeSnapshot.of(published)).isEmpty() ? small : large;
                for (ReceiverFixture node : List.of(a, b)) {
                    JsonNode listed = ReceiverCalls.json(node.get("/parcels?prefix=" + name)).get("parcels").get(0);
                    assertThat(listed.get("sha256").asText()).as("round %d: the catalog of what the inbox holds", round)
                            .isEqualTo(inPlace.manifest().sha256());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNodeThatRestartsLeavesTheOtherNodesExtractionAlone() throws Exception {
        ReceiverCalls.Parcel parcel = ReceiverCalls.smallParcel(tmp, "restart", 400_000, 5);
        String sid = startArchive(a, "restart");
        ok(put(a, sid, 0, parcel.part(0)), 201);
        ok(put(a, sid, 1, parcel.part(1)), 201);
        b.restart(); // a node's start clears its own staging, not the folder node a extracts into
        for (int i = 2; i < parcel.count(); i++) {
            ok(put(a, sid, i, parcel.part(i)), 201);
        }
        assertPublished(a, finish(a, sid, parcel), parcel, "restart");
    }

    @Test
    void anUnknownStoreStopsTheStartNamingTheAllowedOnes() {
        assertThatThrownBy(() -> new ReceiverFixture(tmp.resolve("other"), Map.of("caravan.receiver.store", "mongo")).close())
                .hasStackTraceContaining("caravan.receiver.store")
                .hasStackTraceContaining("'mongo'")
                .hasStackTraceContaining("disk")
                .hasStackTraceContaining("postgres");
    }
}
