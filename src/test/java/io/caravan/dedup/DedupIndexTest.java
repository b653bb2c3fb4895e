package io.caravan.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.InPlaceChange;
import io.caravan.unpack.ReferenceUnavailableException;
import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

/**
 * The content index: hashes queued files off the publish path, drops entries whose file changed
 * (device, inode, size, mtime or ctime) or whose path was published over, materialises references
 * only from bytes that still hash to them, and keeps a log that no name can corrupt and that a
 * damaged line cannot stop from opening.
 */
class DedupIndexTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path inbox;
    @TempDir
    Path state;
    @TempDir
    Path elsewhere;

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
        return new DedupIndex(inbox, state.resolve("dedup.jsonl"), idle::get);
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

    private Path log() {
        return state.resolve("dedup.jsonl");
    }

    private DedupIndex index() throws Exception {
        return index(new AtomicBoolean(false));
    }

    // ---- dedup is exact ----

    @Test
    void aStoredFileChangedInPlaceWithItsSizeAndMtimeKeptIsNoLongerFound() throws Exception {
        Path a = published("a.bin", 200_000);
        String original = sha(a);
        try (DedupIndex index = index()) {
            index.record(List.of(Map.entry(a, original)));
            assertThat(index.find(original)).isPresent();

            InPlaceChange.flipFirstByteKeepingSizeAndMtime(a);

            assertThat(index.find(original)).as("found after an in-place change that kept size and mtime").isEmpty();
        }
    }

    @Test
    void aReferenceIsMaterialisedOnlyFromBytesThatStillHashToIt() throws Exception {
        Path a = published("a.bin", 150_000);
        String claimed = "ab".repeat(32); // what an index written while the file changed would hold
        try (DedupIndex index = index()) {
            index.record(List.of(Map.entry(a, claimed)));
            Path target = Files.createDirectories(inbox.resolve("staging")).resolve("copy.bin");

            assertThatThrownBy(() -> index.materialise(claimed, 150_000, target, stored -> false))
                    .isInstanceOf(ReferenceUnavailableException.class).hasMessageContaining(claimed);
            assertThat(target).doesNotExist();
            assertThat(index.find(claimed)).isEmpty();

            Path linkTarget = inbox.resolve("staging/link.bin");
            index.record(List.of(Map.entry(a, claimed)));
            assertThatThrownBy(() -> index.materialise(claimed, 150_000, linkTarget, stored -> true))
                    .isInstanceOf(ReferenceUnavailableException.class);
            assertThat(linkTarget).doesNotExist();
        }
    }

    @Test
    void anIntactStoredFileIsLinkedWhenAllowedAndStaysFoundAfterwards() throws Exception {
        Path a = published("a.bin", 150_000);
        String sha = sha(a);
        try (DedupIndex index = index()) {
            index.record(List.of(Map.entry(a, sha)));
            Path staging = Files.createDirectories(inbox.resolve("staging"));

            assertThat(index.materialise(sha, 150_000, staging.resolve("linked.bin"), stored -> true)).isTrue();
            assertThat(Files.isSameFile(staging.resolve("linked.bin"), a)).isTrue();
            assertThat(index.find(sha)).as("the link changed the stored file's ctime, not its content").isPresent();

            assertThat(index.materialise(sha, 150_000, staging.resolve("copied.bin"), stored -> false)).isFalse();
            assertThat(Files.isSameFile(staging.resolve("copied.bin"), a)).isFalse();
            assertThat(staging.resolve("copied.bin")).hasSameBinaryContentAs(a);

            assertThat(index.materialise(sha, 150_000, staging.resolve("again.bin"), stored -> true)).isTrue();
            assertThat(staging.resolve("again.bin")).hasSameBinaryContentAs(a);
        }
    }

    @Test
    void aStoredFileChangedInPlaceIsRefusedAsAReference() throws Exception {
        Path a = published("a.bin", 150_000);
        String sha = sha(a);
        try (DedupIndex index = index()) {
            index.record(List.of(Map.entry(a, sha)));
            InPlaceChange.flipFirstByteKeepingSizeAndMtime(a);
            Path target = Files.createDirectories(inbox.resolve("staging")).resolve("ref.bin");

            assertThatThrownBy(() -> index.materialise(sha, 150_000, target, stored -> true))
                    .isInstanceOf(ReferenceUnavailableException.class);
            assertThat(target).doesNotExist();
        }
    }

    @Test
    void forgetDropsEveryEntryAtOrUnderAPathAlsoAfterARestart() throws Exception {
        Path a = published("x/a.bin", 100_000);
        Path b = published("x/sub/b.bin", 100_000);
        Path c = published("x/c.bin", 100_000);
        Path sibling = published("xy.bin", 100_000);
        Path other = published("y/x/d.bin", 100_000);
        try (DedupIndex index = index()) {
            index.record(List.of(Map.entry(a, sha(a)), Map.entry(b, sha(b)), Map.entry(sibling, sha(sibling)),
                    Map.entry(other, sha(other))));
            index.recordLater(List.of(c));

            index.forget(inbox.resolve("x"));

            assertThat(index.find(sha(a))).isEmpty();
            assertThat(index.find(sha(b))).isEmpty();
            assertThat(index.find(sha(c))).as("a file still waiting to be hashed").isEmpty();
            assertThat(index.find(sha(sibling))).isPresent();
            assertThat(index.find(sha(other))).isPresent();
            index.forget(sibling);
            assertThat(index.find(sha(sibling))).isEmpty();
        }
        try (DedupIndex reopened = index()) {
            assertThat(reopened.find(sha(a))).isEmpty();
            assertThat(reopened.find(sha(c))).isEmpty();
            assertThat(reopened.find(sha(sibling))).isEmpty();
            assertThat(reopened.find(sha(other))).isPresent();
        }
    }

    @Test
    void anEntryReachedThroughASymlinkedFolderIsNeverFound() throws Exception {
        Path outside = Files.createDirectories(elsewhere.resolve("dir"));
        byte[] data = new byte[120_000];
        new Random(5).nextBytes(data);
        Path secret = Files.write(outside.resolve("secret.bin"), data);
        Files.createSymbolicLink(inbox.resolve("through"), outside);
        Path viaLink = inbox.resolve("through/secret.bin");
        try (DedupIndex index = index()) {
            index.record(List.of(Map.entry(viaLink, sha(secret))));
            assertThat(index.find(sha(secret))).isEmpty();
            Path target = Files.createDirectories(inbox.resolve("staging")).resolve("ref.bin");
            assertThatThrownBy(() -> index.materialise(sha(secret), data.length, target, stored -> true))
                    .isInstanceOf(ReferenceUnavailableException.class);
            assertThat(target).doesNotExist();
        }
    }

    // ---- the index cannot be injected or break the start ----

    @Test
    void namesWithNewlinesAndTabsSurviveARestartAndEveryLineIsOneJsonObject() throws Exception {
        Path a = published("a\nb\tc/x\n123\t456\tfile.bin", 100_000);
        Path b = published("plain/b.bin", 100_000);
        try (DedupIndex index = index()) {
            index.record(List.of(Map.entry(a, sha(a))));
            index.recordLater(List.of(b));
        }
        for (String line : Files.readAllLines(log(), StandardCharsets.UTF_8)) {
            assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
        }
        try (DedupIndex reopened = index()) {
            assertThat(reopened.find(sha(a))).get().extracting(DedupIndex.StoredFile::path)
                    .isEqualTo("a\nb\tc/x\n123\t456\tfile.bin");
            assertThat(reopened.find(sha(b))).get().extracting(DedupIndex.StoredFile::path).isEqualTo("plain/b.bin");
        }
    }

    @Test
    void damagedAndForgedLinesAreSkippedAndTheIndexStillOpens() throws Exception {
        Path good = published("good.bin", 100_000);
        byte[] data = new byte[90_000];
        new Random(9).nextBytes(data);
        Path secret = Files.write(elsewhere.resolve("secret.bin"), data);
        String secretSha = sha(secret);
        long size = Files.size(secret);
        long mtime = Files.getLastModifiedTime(secret).toMillis();
        try (DedupIndex index = index()) {
            index.record(List.of(Map.entry(good, sha(good))));
        }
        String valid = Files.readString(log(), StandardCharsets.UTF_8).lines().filter(l -> l.contains("good.bin"))
                .findFirst().orElseThrow();
        ByteArrayOutputStream damaged = new ByteArrayOutputStream();
        damaged.write(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, '\n'});
        damaged.write(("{\"truncated\": \n" + "not json at all\n" + "[1, 2, 3]\n" + "\n"
                // the forms older lines took: hash, size, mtime, path
                + secretSha + "\t" + size + "\t" + mtime + "\t" + secret + "\n"
                + secretSha + "\t" + size + "\t" + mtime + "\t" + inbox.relativize(secret) + "\n"
                + secretSha + "\tnot-a-number\t1\tx\n").getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(inbox.resolve("through"), elsewhere);
        Map<String, Object> attrs = Files.readAttributes(secret, "unix:dev,ino,size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
        for (String path : List.of(secret.toString(), inbox.relativize(secret).toString(), "through/secret.bin",
                "good.bin/../" + inbox.relativize(secret), "", ".caravan/sessions/x", "./good.bin", "a//b")) {
            // a line as the index writes them, with the outside file's true identity
            var forged = JSON.createObjectNode().put("op", "index").put("sha256", secretSha).put("path", path)
                    .put("dev", (Long) attrs.get("dev")).put("ino", (Long) attrs.get("ino")).put("size", (Long) attrs.get("size"))
                    .put("mtime_ns", ((FileTime) attrs.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS))
                    .put("ctime_ns", ((FileTime) attrs.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS))
                    .put("seen_ms", System.currentTimeMillis());
            damaged.write((JSON.writeValueAsString(forged) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        damaged.write(valid.substring(0, valid.length() / 2).getBytes(StandardCharsets.UTF_8));
        Files.write(log(), damaged.toByteArray(), java.nio.file.StandardOpenOption.APPEND);

        try (DedupIndex reopened = index()) {
            assertThat(reopened.find(sha(good))).isPresent();
            assertThat(reopened.find(secretSha)).as("a hash mapped to a file outside the inbox").isEmpty();
        }
        try (DedupIndex again = index()) {
            assertThat(again.find(sha(good))).as("after the damaged log was rewritten").isPresent();
        }
    }

    @Test
    void aLogThatCannotBeReadAtAllLeavesAnEmptyIndexThatWorks() throws Exception {
        Files.createDirectories(log()); // a folder where the file should be
        Path a = published("a.bin", 100_000);
        try (DedupIndex index = index()) {
            assertThat(index.find(sha(a))).isEmpty();
            index.record(List.of(Map.entry(a, sha(a))));
            assertThat(index.find(sha(a))).isPresent();
        }
    }

    @Test
    void theOldTabSeparatedIndexIsDropped() throws Exception {
        Path a = published("a.bin", 100_000);
        Path old = Files.writeString(state.resolve("dedup.tsv"), sha(a) + "\t100000\t" + Files.getLastModifiedTime(a).toMillis()
                + "\ta.bin\n" + "x\ty\tz\tw\n");
        try (DedupIndex index = index()) {
            assertThat(old).doesNotExist();
            assertThat(index.find(sha(a))).isEmpty();
        }
    }

    @Test
    void theLogIsCompactedWhenItOpens() throws Exception {
        Path a = published("a.bin", 100_000);
        try (DedupIndex index = index()) {
            for (int i = 0; i < 50; i++) {
                index.record(List.of(Map.entry(a, sha(a))));
                index.forget(a);
            }
            index.record(List.of(Map.entry(a, sha(a))));
        }
        assertThat(Files.readAllLines(log())).hasSizeGreaterThan(100);
        try (DedupIndex reopened = index()) {
            assertThat(reopened.find(sha(a))).isPresent();
        }
        List<String> lines = Files.readAllLines(log());
        assertThat(lines).hasSize(1);
        JsonNode entry = JSON.readTree(lines.get(0));
        assertThat(entry.path("path").asText()).isEqualTo("a.bin");
        assertThat(entry.path("sha256").asText()).isEqualTo(sha(a));
        assertThat(Files.isRegularFile(inbox.resolve(entry.path("path").asText()), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
