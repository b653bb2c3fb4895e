package io.caravan.cli;

import io.caravan.pack.Manifest;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.pack.PartFileTarget;
import io.caravan.progress.ConsoleProgress;
import io.caravan.progress.ProgressListeners;
import io.caravan.progress.TransferStats;
import io.caravan.unpack.Staging;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.Unpacker;
import io.caravan.util.DataSize;
import io.caravan.util.SampleTree;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code caravan demo}: generates a folder, packs it into parts, unpacks them and compares the trees. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Generates a sample folder under <dir>/source, packs it into <dir>/parts, unpacks it into"
                + " <dir>/restored and checks that the restored tree is identical, entry by entry.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--dir", defaultValue = "data/demo", description = "Working folder (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--size", defaultValue = "64MiB", converter = Converters.Size.class,
            description = "Size of the sample's large file (default: ${DEFAULT-VALUE}).")
    long size;

    @Override
    public Integer call() throws Exception {
        clearEarlierDemo();
        Path source = dir.resolve("source");
        SampleTree.generate(source, size, 42);
        System.out.println("generated " + source + " (" + DataSize.format(size) + " large file, Unicode names)");

        TransferStats packStats = new TransferStats();
        PartFileTarget target = new PartFileTarget(dir.resolve("parts/source"));
        Manifest manifest = new Packer(PackOptions.defaults("source").withChunkSize(4L << 20),
                ProgressListeners.of(packStats, ConsoleProgress.forConsole(false))).pack(List.of(source), target);
        target.writeManifest(manifest);
        System.out.println(packStats.summary("packed"));

        TransferStats unpackStats = new TransferStats();
        Path restored = dir.resolve("restored");
        new Unpacker(UnpackOptions.DEFAULT, ProgressListeners.of(unpackStats, ConsoleProgress.forConsole(false)))
                .unpackParts(dir.resolve("parts/source"), restored);
        System.out.println(unpackStats.summary("unpacked"));

        List<String> differences = TreeSnapshot.of(source).differences(TreeSnapshot.of(restored.resolve("source")));
        if (!differences.isEmpty()) {
            differences.forEach(d -> System.out.println("  " + d));
            System.out.println("demo FAILED: the restored tree differs from the source");
            return CaravanCli.FAILURE;
        }
        System.out.println("demo OK: " + restored.resolve("source") + " is identical to " + source + ", entry by entry");
        return CaravanCli.OK;
    }

    /** What marks a folder as the demo's own: only such a folder is cleared, and only of what the demo makes. */
    private static final String MARKER = ".caravan-demo";

    /**
     * Removes the folders an earlier demo made in {@code dir}; a folder that holds anything without the
     * demo's marker is refused, untouched.
     */
    private void clearEarlierDemo() throws java.io.IOException {
        if (java.nio.file.Files.isDirectory(dir) && !java.nio.file.Files.exists(dir.resolve(MARKER))) {
            try (var entries = java.nio.file.Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new io.caravan.CaravanException(dir + " already holds files that caravan demo did not make:"
                            + " choose a new or empty --dir (nothing was changed)");
                }
            }
        }
        for (String made : List.of("source", "parts", "restored")) {
            Staging.deleteTree(dir.resolve(made));
        }
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve(MARKER), "made by caravan demo: its source, parts and restored are"
                + " replaced at each run\n");
    }
}
