package io.caravan.cli;

import io.caravan.pack.AutoCodec;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackOptions;
import io.caravan.pack.PackableNames;
import io.caravan.pack.Packer;
import io.caravan.pack.PartFileTarget;
import io.caravan.pack.PartFiles;
import io.caravan.progress.ConsoleProgress;
import io.caravan.progress.ProgressListeners;
import io.caravan.progress.TransferStats;
import io.caravan.util.TreeScan;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import io.caravan.pack.PackSource;
import io.caravan.CaravanException;
import io.caravan.fs.ConfinedDir;
import io.caravan.pack.ZipEntryBound;
import io.caravan.pack.ZipTreeWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code caravan pack}: files and folders to {@code <prefix>.partNNNN} and {@code <prefix>.manifest.json}, or to one {@code <prefix>.zip}. */
@Command(name = "pack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Packs files and folders into SHA-256-verified parts: <prefix>.part0000, <prefix>.part0001, ..."
                + " and <prefix>.manifest.json. Streams tar -> codec -> parts; the same input and options"
                + " always give the same parts.", ""},
        footer = {"", "Examples:", "  caravan pack my_data/ file.txt --out backup/backup --codec gzip --chunk-size 50MB",
                "  cat backup/backup.part* | gzip -d | tar -x      # GNU tools read the parts too",
                "  caravan pack my_data/ --format zip --out backup/my_data   # one backup/my_data.zip"})
final class PackCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "<source>", description = "Files and folders to pack (top-level names kept).")
    List<Path> sources;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "<prefix>",
            description = "Output prefix: parts are written as <prefix>.partNNNN (with --format zip: <prefix>.zip).")
    Path out;

    @Mixin
    PackingOptions packing;

    @Option(names = "--name", paramLabel = "<name>", description = "Parcel name in the manifest (default: the prefix's file name).")
    String name;

    @Option(names = "--format", paramLabel = "<format>", defaultValue = "parts",
            description = {"parts: SHA-256-verified parts and a manifest (codec, level and chunk size apply);"
            + " zip: one <prefix>.zip that any zip tool opens (deflate; --level 0-9, default 6; codec and chunk size"
            + " do not apply). Default: ${DEFAULT-VALUE}."})
    String format;

    @Option(names = "--force", description = "Replace an existing part set (or zip) of that prefix; without it pack stops and keeps it.")
    boolean force;

    @picocli.CommandLine.Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws Exception {
        verbosity.applyToLogs();
        Sources.requireFilesOrFolders(sources);
        PackableNames.require(sources);
        if (format.equals("zip")) {
            return zip();
        }
        if (!format.equals("parts")) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "unknown --format '" + format + "': use parts or zip");
        }
        OutputOutsideSources.require(PartFiles.manifest(out.toAbsolutePath()), out, sources, "--out");
        String parcel = name != null ? name : out.getFileName().toString();
        PackOptions options = packing.toPackOptions(parcel);
        List<Path> existing = ExistingOutput.partSet(out.toAbsolutePath());
        ExistingOutput.refuseUnlessForced(existing, force);
        TransferStats stats = new TransferStats();
        ConsoleProgress progress = ConsoleProgress.forConsole(verbosity.quiet());
        progress.started("pack", TreeScan.of(sources).bytes(), -1);
        PartFileTarget target = new PartFileTarget(out);
        Manifest manifest = new Packer(options, ProgressListeners.of(stats, progress, EntryLines.of(verbosity, progress))).pack(sources, target);
        target.writeManifest(manifest);
        ExistingOutput.removeStaleParts(existing, out.toAbsolutePath(), manifest.totalChunks());
        System.out.println(stats.summary("packed"));
        System.out.println("wrote " + manifest.totalChunks() + " parts and " + PartFiles.manifest(out.toAbsolutePath())
                + " (" + describe(options) + ", stream SHA-256 " + manifest.sha256() + ")");
        return CaravanCli.OK;
    }

    /** One {@code <prefix>.zip}, written under a temporary name and renamed when complete. */
    private int zip() throws Exception {
        int level = packing.level == null ? 6 : packing.level;
        if (level < 0 || level > 9) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "zip level " + level + " is out of range: use 0 (stored) to 9");
        }
        List<PackSource> items = PackSource.of(sources);
        Path zip = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip") ? out.toAbsolutePath()
                : out.toAbsolutePath().resolveSibling(out.getFileName() + ".zip");
        OutputOutsideSources.require(zip, out, sources, "--out");
        ExistingOutput.refuseUnlessForced(Files.exists(zip, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? List.of(zip) : List.of(), force);
        Files.createDirectories(zip.getParent());
        Path partial = zip.resolveSibling(zip.getFileName() + ".partial");
        TransferStats stats = new TransferStats();
        ConsoleProgress progress = ConsoleProgress.forConsole(verbosity.quiet());
        progress.started("pack", TreeScan.of(sources).bytes(), -1);
        ZipEntryBound bound = ZipEntryBound.ofHeapShare(ZIP_HEAP_SHARE);
        requireZippable(items, bound);
        ZipTreeWriter writer = new ZipTreeWriter(ProgressListeners.of(stats, progress, EntryLines.of(verbosity, progress)), level, bound);
        boolean ok = false;
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 20)) {
            writer.write(items, file);
            ok = true;
        } catch (OutOfMemoryError e) {
            throw new CaravanException("ran out of memory writing the zip after " + writer.entries() + " entries (heap "
                    + ZipEntryBound.heapMib() + " MiB): pack in the default format (--format parts), which streams any number"
                    + " of entries, or give Caravan a larger heap (JAVA_OPTS=" + ZipEntryBound.heapFor(writer.entries(), ZIP_HEAP_SHARE) + ")");
        } finally {
            progress.finished(ok);
            if (!ok) {
                Files.deleteIfExists(partial);
            }
        }
        Files.move(partial, zip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println(stats.summary("packed"));
        System.out.println("wrote " + zip + " (" + writer.entries() + " entries, " + Files.size(zip) + " bytes, deflate level "
                + level + ")");
        return CaravanCli.OK;
    }

    /** A zip's writer keeps every entry's record in memory until the end: at most half the heap. */
    private static final int ZIP_HEAP_SHARE = 2;

    /** Counts the sources' entries first: more than {@code bound} are refused before anything is written. */
    private static void requireZippable(List<PackSource> items, ZipEntryBound bound) throws java.io.IOException {
        long entries = 0;
        for (PackSource source : items) {
            Path path = source.path().toAbsolutePath().normalize();
            try (ConfinedDir parent = ConfinedDir.open(path.getParent())) {
                entries = bound.count(parent, path.getFileName().toString(), entries);
            }
            if (bound.exceededBy(entries)) {
                throw new CaravanException("cannot pack as a zip: the sources hold more than " + bound.maxEntries()
                        + " entries, the most a zip is written with in a heap of " + ZipEntryBound.heapMib()
                        + " MiB (a zip's central directory, at its end, lists every entry): pack them in the default format"
                        + " (--format parts), which streams any number of entries, or give Caravan a larger heap"
                        + " (JAVA_OPTS=" + ZipEntryBound.heapFor(entries, ZIP_HEAP_SHARE) + "); nothing was written");
            }
        }
    }

    private static String describe(PackOptions options) {
        return options.codec() instanceof AutoCodec
                ? "zstd, levels adapted up to " + options.level()
                : options.codec().name() + " level " + options.level();
    }
}
