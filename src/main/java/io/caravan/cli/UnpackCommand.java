package io.caravan.cli;

import io.caravan.progress.ConsoleProgress;
import io.caravan.progress.ProgressListeners;
import io.caravan.progress.TransferStats;
import io.caravan.unpack.DamagedStreamException;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.PartSet;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.UnpackResult;
import io.caravan.unpack.Unpacker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code caravan unpack}: a part set, a single archive or standard input into a folder. */
@Command(name = "unpack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Unpacks a part set (verifying every part and the whole stream against the manifest),"
                + " or a single .tar/.tar.gz/.tar.bz2/.tar.xz/.tar.lz4/.tar.zst archive or .zip file, or '-' for standard input"
                + " (tar only)."
                + " The codec is detected from the data. Extraction happens in a hidden staging folder inside"
                + " <dir> and is published only when everything verified.", ""},
        footer = {"", "Examples:", "  caravan unpack backup/backup restored/",
                "  tar -cf - docs | zstd | caravan unpack - restored/"})
final class UnpackCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<prefix|archive|->",
            description = "Part set prefix (or its manifest or any part), an archive file, or - for standard input.")
    String input;

    @Parameters(index = "1", paramLabel = "<dir>", description = "Destination folder (created if missing).")
    Path destination;

    @Option(names = "--no-verify", description = "Extract parts without checking them against the manifest.")
    boolean noVerify;

    @Option(names = "--on-conflict", paramLabel = "<policy>", converter = Converters.Conflict.class,
            defaultValue = "merge", description = {"When <dir> already holds an entry of that name: merge (like tar -x:"
            + " folders are merged, files of the archive replace theirs, everything else stays), replace (atomic swap of"
            + " the whole top-level entry), rename ('name (1)') or fail (default: ${DEFAULT-VALUE})."})
    OnConflict onConflict;

    @Option(names = "--force", description = "Allow an entry to take the place of one of another type (a folder by a file"
            + " or a file by a folder); the replaced one is kept as a version.")
    boolean force;

    @Option(names = "--allow-external-symlinks",
            description = "Keep symbolic links that point outside <dir> (never written through either way).")
    boolean allowExternalSymlinks;

    @picocli.CommandLine.Mixin
    MaxExpansionOption maxExpansion;

    @picocli.CommandLine.Mixin
    KeepVersionsOption versions;

    @picocli.CommandLine.Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws Exception {
        verbosity.applyToLogs();
        long expansion = maxExpansion.ratio();
        // large files have a block written while the next is read, on threads this command owns
        ExecutorService writeBehind = Executors.newFixedThreadPool(ExtractPolicy.WRITE_BEHIND_THREADS);
        Path made = firstMissing(destination.toAbsolutePath().normalize());
        boolean ok = false;
        try {
            int code = unpack(ExtractPolicy.DEFAULT.withExternalSymlinks(allowExternalSymlinks)
                    .withMaxExpansion(expansion, ExtractPolicy.DEFAULT_EXPANSION_GRACE).withWriteBehind(writeBehind));
            ok = true;
            return code;
        } finally {
            writeBehind.shutdownNow();
            if (!ok && made != null) {
                removeEmptyFolders(destination.toAbsolutePath().normalize(), made);
            }
        }
    }

    /** An unpack of a local archive ({@code shown}), its failure to read one said as such (not as a parcel's). */
    private static UnpackResult local(String shown, Callable<UnpackResult> unpack) throws Exception {
        try {
            return unpack.call();
        } catch (DamagedStreamException e) {
            throw e.inLocalArchive(shown);
        }
    }

    /** The outermost folder of {@code dir} that does not exist yet (the one an unpack would make first), or null. */
    private static Path firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing = p;
        }
        return missing;
    }

    /**
     * After a refused unpack: the empty folders it made, from {@code dir} up to {@code made}, are removed; none
     * reached through a link (one put in their place meanwhile), and none that holds anything.
     */
    private static void removeEmptyFolders(Path dir, Path made) {
        Path above = made.getParent();
        for (Path p = dir; p != null && p.startsWith(made); p = p.getParent()) {
            try {
                if (above == null || !p.toRealPath().equals(above.toRealPath().resolve(above.relativize(p)))) {
                    return;
                }
                Files.deleteIfExists(p);
            } catch (IOException notEmptyOrGone) {
                return; // something is in it, or it is not there: it stays as it is
            }
        }
    }

    private int unpack(ExtractPolicy policy) throws Exception {
        UnpackOptions options = new UnpackOptions(!noVerify, onConflict, policy, versions.in(destination.toAbsolutePath()), force);
        TransferStats stats = new TransferStats();
        ConsoleProgress progress = ConsoleProgress.forConsole(verbosity.quiet());
        Unpacker unpacker = new Unpacker(options, ProgressListeners.of(stats, progress, EntryLines.of(verbosity, progress)));
        UnpackResult result;
        if (input.equals("-")) {
            progress.started("unpack", -1, -1);
            result = local("standard input", () -> unpacker.unpackArchive(System.in, "standard input", destination));
        } else if (PartSet.exists(Path.of(input))) {
            result = unpacker.unpackParts(Path.of(input), destination);
        } else if (Files.isRegularFile(Path.of(input)) && Unpacker.looksLikeZip(Path.of(input))) {
            progress.started("unpack", Files.size(Path.of(input)), -1);
            result = unpacker.unpackZip(Path.of(input), destination);
        } else if (Files.isRegularFile(Path.of(input))) {
            progress.started("unpack", Files.size(Path.of(input)), -1);
            try (InputStream in = Files.newInputStream(Path.of(input))) {
                result = local("the archive " + input, () -> unpacker.unpackArchive(in, "the archive " + input, destination));
            }
        } else {
            throw new io.caravan.CaravanException("'" + input + "' is neither a part set (no " + input
                    + ".manifest.json or " + input + ".part0000), an archive file, nor '-'");
        }
        System.out.println(stats.summary("unpacked"));
        result.published().forEach(p -> System.out.println("published " + p));
        return CaravanCli.OK;
    }
}
