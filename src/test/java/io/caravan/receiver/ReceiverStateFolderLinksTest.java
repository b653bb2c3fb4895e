package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.assertSameTree;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.session.postgres.TestDatabase;
import io.caravan.unpack.Staging;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever may write the inbox may plant a link as the receiver's state folder ({@code .caravan}) or as a
 * folder the receiver keeps directly in it (its staging and versions folders): the receiver never moves,
 * writes, changes or deletes anything through such a link. A link found when it starts stops the start,
 * naming it, before anything is created or deleted in the state folder; one planted as the versions
 * folder while it runs refuses the publish that would replace an entry (the old entry stays in place)
 * and is left out of the version cleanup.
 */
class ReceiverStateFolderLinksTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkPlantedAsTheVersionsFolderNeverReceivesOrLosesAnything() throws Exception {
        Path inbox = tmp.resolve("inbox");
        Path victim = victim("victim");
        // named like a version folder older than the retention: the cleanup would remove it
        Files.createDirectories(victim.resolve("20200101T000000Z-abcdef/doc"));
        Files.writeString(victim.resolve("20200101T000000Z-abcdef/doc/old.txt"), "someone's old file\n");
        TreeSnapshot before = TreeSnapshot.of(victim);
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 100_000, 2);
        try (ReceiverFixture receiver = new ReceiverFixture(inbox)) {
            publish(receiver, first);
            Path versions = inbox.resolve(".caravan/versions");
            deleteIfFolder(versions);
            Files.createSymbolicLink(versions, victim);

            String sid = startArchive(receiver, "doc");
            putAll(receiver, sid, second, range(0, second.count()));
            assertThat(error(finish(receiver, sid, second), 409, "unsafe_path").get("message").asText())
                    .contains(".caravan/versions").contains("symbolic link");
            assertSameTree(first.source(), inbox.resolve("doc")); // the old entry went back in place
            receiver.context().getRegistry().lookupByNameAndType("sessions", Sessions.class).cleanup();
            assertThat(TreeSnapshot.of(victim).differences(before)).isEmpty();

            Files.delete(versions); // the link, not what it points to
            assertPublished(receiver, finish(receiver, sid, second), second, "doc");
            try (Stream<Path> kept = Files.list(versions)) {
                assertThat(kept).singleElement().satisfies(batch -> assertSameTree(first.source(), batch.resolve("doc")));
            }
        }
        assertThat(TreeSnapshot.of(victim).differences(before)).isEmpty();
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkSwappedInAsTheStagingFolderWhileTheReceiverRunsReceivesNothing() throws Exception {
        Path inbox = tmp.resolve("inbox");
        Path victim = victim("victim");
        TreeSnapshot before = TreeSnapshot.of(victim);
        Parcel first = ReceiverCalls.smallParcel(tmp, "first", 100_000, 1);
        Parcel second = ReceiverCalls.smallParcel(tmp, "second", 100_000, 2);
        try (ReceiverFixture receiver = new ReceiverFixture(inbox); WatchService watch = victim.getFileSystem().newWatchService()) {
            publish(receiver, first);
            victim.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
            Path staging = inbox.resolve(".caravan/staging");
            Staging.deleteTree(staging);
            Files.createSymbolicLink(staging, victim);

            HttpResponse<String> start = receiver.post("/start", ReceiverCalls.startBody("other", Map.of()));
            if (start.statusCode() == 201) { // then the parcel must arrive, all of it inside the inbox
                String sid = ReceiverCalls.json(start).get("session_id").asText();
                putAll(receiver, sid, second, range(0, second.count()));
                assertPublished(receiver, finish(receiver, sid, second), second, "other");
            } else {
                assertThat(error(start, 409, "unsafe_path").get("message").asText())
                        .contains(".caravan/staging").contains("symbolic link");
            }
            assertThat(TreeSnapshot.of(victim).differences(before)).isEmpty();
            WatchKey changed = watch.poll();
            assertThat(changed == null ? List.of() : changed.pollEvents().stream().map(e -> e.kind() + " " + e.context()).toList())
                    .as("entries made or removed in the folder the link points to").isEmpty();
            assertThat(staging).isSymbolicLink();

            Files.delete(staging); // the link, not what it points to
            String sid = startArchive(receiver, "other");
            putAll(receiver, sid, second, range(0, second.count()));
            assertPublished(receiver, finish(receiver, sid, second), second, "other");
        }
        assertThat(TreeSnapshot.of(victim).differences(before)).isEmpty();
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkAsTheVersionsFolderStopsTheStartNamingIt() throws Exception {
        Path victim = victim("victim");
        Files.createDirectories(victim.resolve("20200101T000000Z-abcdef/doc"));
        startRefused(".caravan/versions", victim, Map.of());
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkAsTheStateFolderStopsTheStartBeforeAnythingChangesThere() throws Exception {
        Path victim = victim("victim");
        // what a receiver keeps in its state folder, as someone's own files
        for (String folder : new String[] {"staging/a1", "sessions", "finished", "expired", "versions", "catalog"}) {
            Files.createDirectories(victim.resolve(folder));
            Files.writeString(victim.resolve(folder).resolve("mine.txt"), "user data in " + folder + "\n");
        }
        startRefused(".caravan", victim, Map.of());
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkAsTheStateFolderStopsTheStartOfANodeSharingTheInbox() throws Exception {
        Path victim = victim("victim");
        Files.createDirectories(victim.resolve("staging-n1/a1"));
        Files.writeString(victim.resolve("staging-n1/a1/mine.txt"), "user data in staging-n1\n");
        startRefused(".caravan", victim, Map.of("caravan.receiver.store", "postgres",
                "caravan.receiver.db.url", TestDatabase.newDatabase(),
                "caravan.receiver.db.user", TestDatabase.USER,
                "caravan.receiver.chunk-dir", tmp.resolve("chunks").toString(),
                "caravan.receiver.node-name", "n1"));
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkAsTheStagingFolderStopsTheStartAndNothingThereIsDeleted() throws Exception {
        startRefused(".caravan/staging", victim("victim"), Map.of());
        assertThat(tmp.resolve("inbox/.caravan/staging")).isSymbolicLink();
    }

    /**
     * Plants {@code link} (relative to a new inbox) pointing to {@code victim}, and checks that a receiver
     * with {@code properties} does not start, naming the link, and that nothing in {@code victim} changed.
     */
    private void startRefused(String link, Path victim, Map<String, String> properties) throws Exception {
        Path inbox = tmp.resolve("inbox");
        Files.createDirectories(inbox.resolve(link).getParent());
        TreeSnapshot before = TreeSnapshot.of(victim);
        Files.createSymbolicLink(inbox.resolve(link), victim);

        assertThatThrownBy(() -> new ReceiverFixture(inbox, properties).close())
                .satisfies(e -> assertThat(messages(e)).contains("'" + link + "'").contains("symbolic link"));
        assertThat(TreeSnapshot.of(victim).differences(before)).isEmpty();
    }

    /** Someone's folder outside the inbox: a file, and a folder with its own permissions holding another. */
    private Path victim(String name) throws IOException {
        Path victim = Files.createDirectories(tmp.resolve(name));
        Files.writeString(victim.resolve("notes.txt"), "user data\n");
        Path sub = Files.createDirectories(victim.resolve("projects"));
        Files.writeString(sub.resolve("plan.md"), "the plan\n");
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-x---"));
        return victim;
    }

    private static void publish(ReceiverFixture receiver, Parcel parcel) throws Exception {
        String sid = startArchive(receiver, "doc");
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, "doc");
    }

    private static void deleteIfFolder(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> listed = Files.list(dir)) {
                assertThat(listed).isEmpty();
            }
            Files.delete(dir);
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
