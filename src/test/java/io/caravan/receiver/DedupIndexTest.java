package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DedupIndexTest {

    @TempDir
    Path inbox;
    @TempDir
    Path state;

    private Path published(String name, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(name.hashCode()).nextBytes(data);
        Path file = inbox.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
        return file;
    }

    private static String sha(Path file) throws Exception {
        byte[] data = Files.readAllBytes(file);
        return Sha256.of(data, 0, data.length);
    }

    private DedupIndex index(AtomicBoolean idle) throws Exception {
        return new DedupIndex(inbox, state.resolve("dedup.tsv"), idle::get);
    }

    @Test
    void aLookupFindsAFileQueuedForHashingEvenBeforeTheBackgroundGetsToIt() throws Exception {
        Path a = published("a.bin", 300_000);
        Path b = published("folder/b.bin", 200_000);
        try (DedupIndex index = index(new AtomicBoolean(false))) { // never idle: only a lookup hashes
            index.recordLater(List.of(a, b));
            assertThat(index.hasPending()).isTrue();

            assertThat(index.find(sha(b))).get().extracting(DedupIndex.StoredFile::path).isEqualTo("folder/b.bin");
            assertThat(index.find(sha(a))).get().extracting(DedupIndex.StoredFile::size).isEqualTo(300_000L);
            assertThat(index.hasPending()).isFalse();
        }
    }

    @Test
    void theBackgroundHashesQueuedFilesOnlyOnceTheReceiverIsIdle() throws Exception {
        Path a = published("a.bin", 100_000);
        AtomicBoolean idle = new AtomicBoolean(false);
        try (DedupIndex index = index(idle)) {
            index.recordLater(List.of(a));
            Thread.sleep(400); // the background thread polls every 200 ms while busy
            assertThat(index.hasPending()).as("hashed while uploads were running").isTrue();

            idle.set(true);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (index.hasPending() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(index.hasPending()).isFalse();
            idle.set(false);
            assertThat(index.find(sha(a))).isPresent();
        }
    }

    @Test
    void aQueuedFileChangedBeforeItWasHashedIsNotIndexed() throws Exception {
        Path a = published("a.bin", 100_000);
        String original = sha(a);
        try (DedupIndex index = index(new AtomicBoolean(false))) {
            index.recordLater(List.of(a));
            Files.write(a, new byte[100_000]); // same size, new content and mtime
            Files.setLastModifiedTime(a, FileTime.from(Instant.now().plusSeconds(60)));

            assertThat(index.find(original)).isEmpty();
            assertThat(index.find(sha(a))).as("nor under its new content: it was not published so").isEmpty();
            assertThat(index.hasPending()).isFalse();
        }
    }

    @Test
    void queuedFilesSurviveARestart() throws Exception {
        Path a = published("a.bin", 100_000);
        Path b = published("b.bin", 100_000);
        try (DedupIndex index = index(new AtomicBoolean(false))) {
            index.record(List.of(Map.entry(b, sha(b))));
            index.recordLater(List.of(a));
        }
        try (DedupIndex reopened = index(new AtomicBoolean(false))) {
            assertThat(reopened.hasPending()).isTrue();
            assertThat(reopened.find(sha(b))).isPresent();
            assertThat(reopened.find(sha(a))).isPresent();
        }
        try (DedupIndex again = index(new AtomicBoolean(false))) {
            assertThat(again.hasPending()).as("hashed entries supersede the queued line").isFalse();
            assertThat(again.find(sha(a))).isPresent();
        }
    }
}
