package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.progress.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The count a send keeps of what it read: a tree of thousands of files packed once is read once
 * per file and exactly its bytes; packed a second time with the same count, every file shows as
 * read more than once, and the log line says so.
 */
class SourceReadsTest {

    @TempDir
    Path tmp;

    @Test
    void countsEachFileOfALargeTreeOnceAndEveryFilePackedAgainAsASecondRead() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        long bytes = 0;
        for (int i = 0; i < 3000; i++) {
            Path dir = Files.createDirectories(tree.resolve("d" + i % 30));
            TestTrees.write(dir.resolve("f" + i + ".txt"), "file " + i + "\n");
            bytes += ("file " + i + "\n").length();
        }
        SourceReads reads = new SourceReads();
        Packer packer = new Packer(PackUnpack.options("zstd", 64 * 1024), ProgressListener.NONE, PackHooks.NONE, reads);

        packer.pack(List.of(tree), ChunkTarget.DISCARD);

        assertThat(reads.files()).isEqualTo(3000);
        assertThat(reads.bytes()).isEqualTo(bytes);
        assertThat(reads.opens(tree.resolve("d7/f1507.txt"))).isEqualTo(1);
        assertThat(reads.readMoreThanOnce()).isEmpty();
        assertThat(reads.describe()).endsWith("from 3000 files, each once");

        packer.pack(List.of(tree), ChunkTarget.DISCARD);

        assertThat(reads.files()).isEqualTo(3000);
        assertThat(reads.bytes()).isEqualTo(2 * bytes);
        assertThat(reads.opens(tree.resolve("d7/f1507.txt"))).isEqualTo(2);
        assertThat(reads.readMoreThanOnce()).hasSize(100);
        assertThat(reads.describe()).endsWith("from 3000 files, 3000 of them more than once");
    }
}
