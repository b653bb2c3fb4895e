package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.PackUnpack;
import io.caravan.TestTrees;
import io.caravan.util.BulkInputStream;
import io.caravan.pack.PackHooks;
import io.caravan.progress.ProgressListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An extraction cut short after a checkpoint and resumed from it ends with the tree, the result and
 * the reported files of one that ran through: the entries after the checkpoint are extracted again
 * over what the cut one left, and the journal gives back the state the checkpoint speaks of.
 */
class ResumedExtractionTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "none"})
    void anExtractionCutAfterACheckpointAndResumedEndsAsOneThatRanThrough(String codec) throws Exception {
        Path source = tree(tmp.resolve("src"));
        byte[] stream = pack(source, codec);
        List<String> fullReported = new ArrayList<>();
        Path full = Files.createDirectories(tmp.resolve("full"));
        SafeExtractor.Result expected = unpacker(fullReported)
                .extractInto(new ByteArrayInputStream(stream), full, null);
        Map<String, String> expectedTree = describe(full);

        int resumed = 0;
        for (double cutAt : new double[] {0.3, 0.55, 0.8, 0.97}) {
            Path root = Files.createDirectories(tmp.resolve("cut-" + cutAt));
            Path journal = root.resolveSibling(root.getFileName() + ".journal");
            Path checkpointFile = root.resolveSibling(root.getFileName() + ".checkpoint");
            int cut = (int) (stream.length * cutAt);
            List<String> ignored = new ArrayList<>();
            assertThatThrownBy(() -> unpacker(ignored).extractResumable(new CutStream(stream, cut), root,
                    new Resumption(codec, null, journal, recorder(checkpointFile))))
                    .isInstanceOf(DamagedStreamException.class);
            ExtractionCheckpoint checkpoint = ExtractionCheckpoint.readFrom(checkpointFile);
            assertThat(checkpoint).as("a checkpoint before byte %d of %d", cut, stream.length).isNotNull();
            assertThat(checkpoint.compressed()).isLessThan(cut).isPositive();
            assertThat(checkpoint.entries()).isPositive();

            List<String> reported = new ArrayList<>();
            SafeExtractor.Result result = unpacker(reported).extractResumable(
                    new ByteArrayInputStream(stream, (int) checkpoint.compressed(), stream.length),
                    root, new Resumption(codec, checkpoint, journal, recorder(checkpointFile)));
            assertThat(result).isEqualTo(expected);
            assertThat(reported).isEqualTo(fullReported);
            Map<String, String> tree = describe(root);
            List<String> differences = new ArrayList<>();
            for (String name : new java.util.TreeSet<>(expectedTree.keySet())) {
                if (!name.isEmpty() && !expectedTree.get(name).equals(tree.get(name))) { // the root is no entry
                    differences.add(name + ": " + expectedTree.get(name) + " / " + tree.get(name));
                }
            }
            tree.keySet().stream().filter(name -> !expectedTree.containsKey(name)).forEach(name -> differences.add(name + ": extra"));
            assertThat(differences).as("entries that differ from a full extraction").isEmpty();
            resumed++;
        }
        assertThat(resumed).isEqualTo(4);
    }

    /** Records every restart point past the last one recorded. */
    private static Resumption.Checkpoints recorder(Path file) {
        return new Resumption.Checkpoints() {
            private long last;

            @Override
            public boolean wants(long compressed) {
                return compressed > last;
            }

            @Override
            public void record(ExtractionCheckpoint checkpoint) throws IOException {
                checkpoint.writeTo(file);
                last = checkpoint.compressed();
            }
        };
    }

    private static Unpacker unpacker(List<String> reported) {
        return new Unpacker(UnpackOptions.DEFAULT, ProgressListener.NONE, new ExtractHooks() {
            @Override
            public long reportFilesFrom() {
                return 100_000;
            }

            @Override
            public void extracted(String name, String sha256, long size) {
                reported.add(name + " " + sha256 + " " + size);
            }
        });
    }

    /** The fidelity tree (links, hard links, modes, a read-only folder) and ~12 MiB in folders around it. */
    private static Path tree(Path root) throws IOException {
        TestTrees.fidelityTree(root, "fidelity");
        for (int d = 0; d < 4; d++) {
            Path dir = Files.createDirectories(root.resolve("data/d" + d + "/inner"));
            StringBuilder text = new StringBuilder();
            for (int line = 0; text.length() < 1_500_000; line++) {
                text.append("line ").append(line * 7919 % 100_003).append(" of folder ").append(d).append('\n');
            }
            TestTrees.write(dir.resolve("log.txt"), text.toString());
            TestTrees.random(dir.resolve("noise.bin"), 1_200_000, d);
            for (int f = 0; f < 30; f++) {
                TestTrees.write(dir.resolve("small-" + f + ".txt"), ("small " + f + " ").repeat(f * 40));
            }
            Files.createSymbolicLink(dir.resolve("to-log"), Path.of("log.txt"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        }
        return root;
    }

    private static byte[] pack(Path source, String codec) throws IOException {
        return PackUnpack.packToBytes(source, PackUnpack.options(codec, 1 << 20), PackHooks.NONE);
    }

    /** Every entry with its content or target, its permissions, its mtime and its link count. */
    private static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> described = new TreeMap<>();
        for (Map.Entry<String, String> entry : TestTrees.describe(root).entrySet()) {
            Path path = root.resolve(entry.getKey());
            String more = "";
            if (!Files.isSymbolicLink(path)) {
                more = " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS))
                        + " " + Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000
                        + " " + Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            }
            described.put(entry.getKey(), entry.getValue() + more);
        }
        return described;
    }

    /** The stream's first {@code cut} bytes, then a failure: the extraction stops there as if the process died. */
    private static final class CutStream extends BulkInputStream {
        private final ByteArrayInputStream in;
        private int left;

        CutStream(byte[] stream, int cut) {
            this.in = new ByteArrayInputStream(stream);
            this.left = cut;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                throw new IOException("cut");
            }
            int n = in.read(b, off, Math.min(len, left));
            left -= Math.max(n, 0);
            return n;
        }
    }
}
