package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
import io.caravan.util.FileIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sender's hash cache answers only for a file in exactly the state it was hashed in: same
 * device, inode, size, mtime and ctime. A hash seen too soon after the file's last change is not
 * kept, the cache survives a reopen, and neither names nor damaged lines can corrupt it.
 */
class HashCacheTest {

    static final String SHA = "ab".repeat(32);

    @TempDir
    Path tmp;

    private Path settledFile(String name) throws Exception {
        Path file = tmp.resolve(name);
        TestTrees.random(file, 10_000, name.hashCode());
        return file;
    }

    /** Now, as far as the cache can tell: more than the slack after the file's last change. */
    private static long later() {
        return System.currentTimeMillis() + FileIdentity.SLACK_MILLIS + 1000;
    }

    private static FileIdentity identity(Path file) throws Exception {
        return FileIdentity.ofRegularFile(file).orElseThrow();
    }

    @Test
    void aFileChangedInPlaceWithSizeAndMtimeKeptMisses() throws Exception {
        Path file = settledFile("a.bin");
        HashCache cache = HashCache.in(tmp.resolve("state"));
        cache.put(file, identity(file), later(), SHA);
        assertThat(cache.get(file, identity(file))).contains(SHA);

        InPlaceChange.flipFirstByteKeepingSizeAndMtime(file);

        assertThat(cache.get(file, identity(file))).isEmpty();
    }

    @Test
    void aHashSeenRightAfterTheFileChangedIsNotKept() throws Exception {
        Path file = settledFile("fresh.bin");
        HashCache cache = HashCache.in(tmp.resolve("state"));
        cache.put(file, identity(file), System.currentTimeMillis(), SHA);
        assertThat(cache.get(file, identity(file))).isEmpty();
    }

    @Test
    void entriesSurviveAReopenWhateverTheNameAndDamagedLinesAreSkipped() throws Exception {
        Path odd = settledFile("a\nb\tc 123\t456.bin");
        Path plain = settledFile("plain.bin");
        HashCache cache = HashCache.in(tmp.resolve("state"));
        cache.put(odd, identity(odd), later(), SHA);
        cache.put(plain, identity(plain), later(), "cd".repeat(32));
        Files.writeString(tmp.resolve("state/hashes.jsonl"), "{\"broken\n\tnot json\n[]\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        HashCache reopened = HashCache.in(tmp.resolve("state"));
        assertThat(reopened.get(odd, identity(odd))).contains(SHA);
        assertThat(reopened.get(plain, identity(plain))).contains("cd".repeat(32));
        assertThat(reopened.get(tmp.resolve("a"), identity(plain))).isEmpty();
    }

    @Test
    void theOldTabSeparatedCacheIsDropped() throws Exception {
        Path old = Files.writeString(Files.createDirectories(tmp.resolve("state")).resolve("hashes.tsv"), "1\t2\tsha\t/x\n");
        HashCache.in(tmp.resolve("state"));
        assertThat(old).doesNotExist();
    }
}
