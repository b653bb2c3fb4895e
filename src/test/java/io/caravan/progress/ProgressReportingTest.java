package io.caravan.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.pack.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library users get every entry, byte and chunk through the listener; the console prints plain lines off a terminal. */
class ProgressReportingTest {

    @TempDir
    Path tmp;

    @Test
    void listenerSeesEveryEntryByteAndChunk() throws Exception {
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        List<String> entries = new ArrayList<>();
        Map<String, Long> totals = new ConcurrentHashMap<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void entry(String path, long size) {
                entries.add(path);
            }

            @Override
            public void bytes(long bytes) {
                totals.merge("bytes", bytes, Long::sum);
            }

            @Override
            public void chunk(int index, long size) {
                totals.merge("chunks", 1L, Long::sum);
                totals.merge("chunkBytes", size, Long::sum);
            }
        };
        Manifest manifest = PackUnpack.pack(List.of(source), tmp.resolve("p/tree"), PackUnpack.options("zstd", 20_000), listener);
        assertThat(entries).contains("tree/", "tree/中文 文件.txt", "tree/empty folder/").hasSize(manifest.entries().intValue());
        assertThat(totals).containsEntry("bytes", manifest.contentBytes())
                .containsEntry("chunks", (long) manifest.totalChunks()).containsEntry("chunkBytes", manifest.totalSize());
    }

    @Test
    void plainConsoleProgressEndsWithASummary() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConsoleProgress console = new ConsoleProgress(new PrintStream(out, true, StandardCharsets.UTF_8), false, false);
        TransferStats stats = new TransferStats();
        console.started("pack", 1000, -1);
        ProgressListener both = ProgressListeners.of(stats, console);
        both.entry("a", 1000);
        both.bytes(1000);
        both.chunk(0, 400);
        both.warning("skipped special file x");
        both.finished(true);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("warning: skipped special file x");
        assertThat(stats.summary("packed")).startsWith("packed 1 entries: 1000 B of content, 400 B in 1 chunks (ratio 0.400)")
                .endsWith("1 warning");
    }
}
