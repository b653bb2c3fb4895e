package io.caravan.cli;

import io.caravan.download.CatalogClient;
import io.caravan.download.ParcelDownload;
import io.caravan.progress.ConsoleProgress;
import io.caravan.progress.ProgressListeners;
import io.caravan.progress.TransferStats;
import io.caravan.sender.Retry;
import io.caravan.sender.StopSignal;
import io.caravan.unpack.OnConflict;
import io.caravan.util.DataSize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code caravan get|download|down}: one published parcel from a receiver into a local folder, verified and resumable. */
@Command(name = "get", aliases = {"download", "down"}, mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Downloads a parcel published on a receiver into <local>: chunks are fetched in parallel, each"
                + " verified by its SHA-256, extracted while they arrive and published when the whole stream matches"
                + " the manifest, merged into an existing folder like send does. Interrupted downloads resume: run the"
                + " same command again and only missing chunks travel.", ""},
        footer = {"", "Examples:", "  caravan get backup/www ./restore --host 10.0.1.100",
                "  caravan down http://deploy.example.com:8834/production/website ."})
final class DownloadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<url-or-remote>",
            description = "The parcel's name on the receiver (as GET /parcels lists it), or http://host:port/<name>.")
    String remote;

    @Parameters(index = "1", arity = "0..1", defaultValue = ".", paramLabel = "<local>",
            description = "Folder the parcel is published into, as <local>/<its last name part> (default: the current folder).")
    Path local;

    @Mixin
    ReceiverAddress receiver;

    @Option(names = {"-p", "--parallel"}, defaultValue = "4", converter = Converters.GetParallel.class, description = "Chunks fetched at once, 1-32 (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--on-conflict", paramLabel = "<policy>", converter = Converters.Conflict.class, defaultValue = "merge",
            description = "When <local> holds that name: merge (default), replace, rename or fail.")
    OnConflict onConflict;

    @Option(names = "--force", description = "Allow replacing a local folder by a file or a file by a folder.")
    boolean force;

    @Option(names = "--allow-external-symlinks", description = "Keep symbolic links that point outside <local> (never written through).")
    boolean allowExternalSymlinks;

    @Option(names = "--state-dir", paramLabel = "<dir>", description = "Where fetched chunks wait (default: <local>/.caravan-get-<name>).")
    Path stateDir;

    @Option(names = "--min-free-space", paramLabel = "<size>", converter = Converters.Size.class, defaultValue = "256MiB",
            description = "Stop before the disk has less free space than this (default: ${DEFAULT-VALUE}).")
    long minFreeSpace;

    @Mixin
    MaxExpansionOption maxExpansion;

    @Mixin
    ReceiverAccess access;

    @Mixin
    BandwidthOption bandwidth;

    @Mixin
    KeepVersionsOption versions;

    @picocli.CommandLine.Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws Exception {
        verbosity.applyToLogs();
        long expansion = maxExpansion.ratio();
        RemoteParcel parcel = RemoteParcel.of(remote, receiver.url());
        String url = parcel.url();
        String name = parcel.name();
        Path folder = local.toAbsolutePath().normalize();
        ParcelDownload.Settings settings = new ParcelDownload.Settings(new CatalogClient(url, access.token, Duration.ofMinutes(5), access.trust())
                .limit(bandwidth.bucket()),
                name, folder, stateDir != null ? stateDir : ParcelDownload.defaultStateDir(folder, name), parallel, onConflict,
                force, allowExternalSymlinks, minFreeSpace, versions.in(folder), new Retry(6, Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(3), StopSignal.NONE),
                expansion);
        TransferStats stats = new TransferStats();
        ConsoleProgress progress = ConsoleProgress.forConsole(verbosity.quiet());
        ParcelDownload.Result result;
        try {
            result = new ParcelDownload(settings).run(ProgressListeners.of(stats, progress, EntryLines.of(verbosity, progress)));
        } catch (RuntimeException e) {
            printSummary(stats, false, 0, 0, 0);
            throw e;
        }
        System.out.println("published '" + name + "' from " + url + " at " + result.published()
                + " (stream SHA-256 " + result.sha256() + ")");
        printSummary(stats, true, result.entries(), result.fetchedBytes(), result.reusedChunks());
        return CaravanCli.OK;
    }

    private static void printSummary(TransferStats stats, boolean ok, long files, long fetched, int reused) {
        long elapsed = stats.elapsedNanos();
        System.out.printf(Locale.ROOT, "  total files: %d%n  succeeded: %d%n  failed: %d%n  total size: %s%n"
                        + "  on the wire: %s (%d chunks already here)%n  average speed: %s%n  elapsed: %.1f s%n",
                ok ? files : stats.files(), ok ? files : 0, ok ? 0 : Math.max(1, stats.files()), DataSize.format(stats.contentBytes()),
                DataSize.format(fetched), reused, DataSize.rate(stats.contentBytes(), elapsed), elapsed / 1e9);
    }
}
