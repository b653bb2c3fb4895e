package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.StoppedAfterMove;
import io.caravan.fs.Versions;
import io.caravan.sync.MirrorApply;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.Publisher;
import io.caravan.unpack.Staging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver (or {@code unpack}, {@code get}) killed at any point of a publish or a mirror apply loses nothing it
 * replaces: the publish is stopped right after each of its moves in turn, a receiver is then started on the same
 * inbox (it empties its staging folder), and every replaced file's old content is still found, at its place or in
 * the versions area (not in a staging folder, where nobody would look for it).
 */
class PublisherStoppedMidwayKeepsReplacedTest {

    private static final Map<String, String> OLD = Map.of("site/a.txt", "old a\n", "site/sub/b.txt", "old b\n");
    private static final Map<String, String> NEW = Map.of("site/a.txt", "new a\n", "site/sub/b.txt", "new b\n",
            "site/sub/c.txt", "new c\n");

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMergeStoppedAfterAnyMoveKeepsEveryReplacedFile() throws Exception {
        everyStopKeepsTheOldContent("merge", (inbox, staged) -> new Publisher(inbox, versions(inbox))
                .publish(staged, "site", "site", Publisher.Policy.of(OnConflict.MERGE)));
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aReplaceOfAWholeFolderStoppedAfterAnyMoveKeepsTheOldFolder() throws Exception {
        everyStopKeepsTheOldContent("replace", (inbox, staged) -> new Publisher(inbox, versions(inbox))
                .publish(staged, "site", "site", Publisher.Policy.of(OnConflict.REPLACE)));
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMirrorApplyStoppedAfterAnyMoveKeepsEveryReplacedFile() throws Exception {
        everyStopKeepsTheOldContent("mirror", (inbox, staged) -> {
            try (ConfinedDir mirror = ConfinedDir.open(inbox)) {
                MirrorApply.apply(staged, mirror, versions(inbox).batch());
            }
        });
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anUnpackOrGetStoppedAfterAnyMoveKeepsEveryReplacedFileAsAVersion() throws Exception {
        everyStopKeepsTheOldContent("unpack", (destination, staged) -> {
            Staging staging = Staging.create(destination); // a killed unpack or get leaves it behind
            Files.move(staged.resolve("site"), staging.dir().resolve("site"));
            staging.publish(versions(destination), Publisher.Policy.of(OnConflict.MERGE));
        });
    }

    private interface Publish {
        void run(Path inbox, Path staged) throws Exception;
    }

    private void everyStopKeepsTheOldContent(String name, Publish publish) throws Exception {
        int stops = 0;
        for (int n = 1; ; n++) {
            Path inbox = tmp.resolve(name + "-" + n);
            write(inbox, OLD);
            Path staged = inbox.resolve(".caravan/staging/session");
            write(staged, NEW);
            if (!StoppedAfterMove.stopAfter(n, () -> publish.run(inbox, staged))) {
                assertThat(contents(inbox)).as("a publish that ended").containsAll(NEW.values());
                break;
            }
            stops++;
            new ReceiverFixture(inbox).close(); // a start after the kill: it empties the staging folder
            assertThat(contents(inbox)).as("old contents after a stop right after move %d of the %s", n, name)
                    .containsAll(OLD.values());
        }
        assertThat(stops).as("moves of the %s", name).isGreaterThanOrEqualTo(2);
    }

    private static Versions versions(Path inbox) {
        return Versions.inDestination(inbox, Duration.ofDays(7), Clock.systemUTC());
    }

    private static void write(Path root, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = root.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
    }

    /** The content of every regular file at its place in the inbox or in its versions area. */
    private static List<String> contents(Path inbox) throws IOException {
        try (Stream<Path> files = Stream.concat(Files.walk(inbox.resolve("site")),
                Files.exists(inbox.resolve(".caravan/versions")) ? Files.walk(inbox.resolve(".caravan/versions")) : Stream.empty())) {
            return files.filter(Files::isRegularFile).map(path -> {
                try {
                    return Files.readString(path);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.toList());
        }
    }
}
