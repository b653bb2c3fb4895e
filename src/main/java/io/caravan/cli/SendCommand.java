package io.caravan.cli;

import io.caravan.bandwidth.TokenBucket;
import io.caravan.fs.NameRules;
import io.caravan.progress.ConsoleProgress;
import io.caravan.progress.ProgressListener;
import io.caravan.progress.ProgressListeners;
import io.caravan.progress.TransferStats;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import io.caravan.sender.StopSignal;
import io.caravan.sender.TransferStoppedException;
import io.caravan.unpack.OnConflict;
import io.caravan.util.DataSize;
import io.caravan.util.TreeScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code caravan send|up|upload}: one file or folder to a receiver, resumable, with progress and a summary. */
@Command(name = "send", aliases = {"up", "upload"}, mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sends a file or folder (detected) to a receiver as one parcel: packed, chunked, uploaded with"
                + " parallel chunks and retries, verified and published there as <remote-name>. Interrupted sends"
                + " resume: run the same command again and only missing or changed chunks travel.", ""},
        footer = {"", "Examples:", "  caravan send ./website production/website --to http://deploy.example.com:8834",
                "  caravan up /var/www/html backup/www --host 10.0.1.100"})
final class SendCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<path>", description = "File or folder to send.")
    Path source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "<remote-name>",
            description = {"Name (relative path) on the receiver (default: the source's name). As with scp, a name ending"
                    + " in '/' or naming a folder that exists there means into that folder: 'backup/' publishes backup/<source's name>."})
    String remoteName;

    @Option(names = "--on-conflict", paramLabel = "<policy>", description = {"When the name exists on the receiver:"
            + " replace (atomic swap, the old entry kept as a version), merge (folders merged file by file), rename"
            + " ('name (1)') or fail. Default: the receiver's setting (replace)."})
    String onConflict;

    @Option(names = "--force", description = "Allow replacing a folder by a file or a file by a folder (the old entry is kept as a version).")
    boolean force;

    @Mixin
    ReceiverAddress receiver;

    @Mixin
    PackingOptions packing = new PackingOptions("auto");

    @Mixin
    ConnectionOptions connection;

    @Mixin
    BandwidthOption bandwidth;

    @Option(names = {"-p", "--parallel"}, defaultValue = "4", converter = Converters.SendParallel.class,
            description = "Chunks in flight, 1-64 (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--no-dedup", description = "Send every file's bytes, even ones the receiver already stores.")
    boolean noDedup;

    /** -q: no progress and no INFO logs; -v: each file as it is packed; -vv: debug logs too. */
    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Sources.requireFilesOrFolders(List.of(source));
        // values read before anything is walked or sent: one it cannot take is a usage error at once
        TokenBucket bucket = bandwidth.bucket();
        String conflict = onConflict == null ? null : OnConflict.parse(onConflict).name().toLowerCase(Locale.ROOT);
        verbosity.applyToLogs();
        Path state = connection.prepare();
        String name = remoteName != null ? remoteName : source.toAbsolutePath().normalize().getFileName().toString();
        String url = receiver.url();
        StopSignal stop = new StopSignal();
        Interruptions interruptions = Interruptions.install("stopping; parcel '" + name + "' stays resumable on " + url
                + ": run the same command again to continue", stop::raise, Duration.ofSeconds(3));
        SenderSettings settings = new SenderSettings(url, connection.access.token,
                packing.toPackOptions(name), parallel,
                noDedup ? -1 : 1L << 20, state, Retry.DEFAULT.stoppedBy(stop), connection.access.trust());
        settings.requireHeap(Runtime.getRuntime().maxMemory());
        TreeScan scan = TreeScan.of(List.of(source));
        System.out.println((Files.isDirectory(source) ? "folder " : "file ") + source + " -> " + url + " as '" + name + "' ("
                + scan.files() + " files, " + DataSize.format(scan.bytes()) + ")");
        TransferStats stats = new TransferStats();
        ConsoleProgress progress = ConsoleProgress.forConsole(verbosity.quiet());
        progress.started("send", scan.bytes(), scan.files());
        ProgressListener perFile = new ProgressListener() {
            private int done;

            @Override
            public void entry(String path, long size) {
                if (verbosity.level() >= 1 && !path.endsWith("/")) {
                    // the name's control characters escaped, as pack and sync show names
                    String line = String.format(Locale.ROOT, "[%d/%d] %s (%s)", ++done, scan.files(),
                            NameRules.printable(path), DataSize.format(size));
                    if (!progress.println(line)) {
                        System.out.println(line);
                    }
                }
            }
        };
        java.util.Map<String, Object> placement = new java.util.LinkedHashMap<>();
        placement.put("into", remoteName != null);
        if (conflict != null) {
            placement.put("on_conflict", conflict);
        }
        if (force) {
            placement.put("force", true);
        }
        ParcelSender.Result result;
        ParcelSender sender = new ParcelSender(settings);
        sender.client().limit(bucket);
        try {
            result = sender.send(source, name, placement, ProgressListeners.of(stats, progress, perFile));
        } catch (TransferStoppedException e) {
            progress.finished(false);
            printSummary(stats, scan, "interrupted (resumable)", sender.client().bytesSent(), 0, started);
            System.err.println("caravan: interrupted: " + e.getMessage() + "; run the same command again to continue");
            return interruptions.exitStatus();
        } catch (Exception e) {
            progress.finished(false);
            printSummary(stats, scan, "failed", sender.client().bytesSent(), 0, started);
            throw e;
        }
        System.out.println("published '" + name + "' at " + result.answer().path("path").asText() + " on " + url
                + " (stream SHA-256 " + result.answer().path("sha256").asText() + ")");
        printSummary(stats, scan, "succeeded", result.sentBytes(), result.skippedChunks(), started);
        return CaravanCli.OK;
    }

    /** Seed 004's summary; {@code outcome} is what became of the files: succeeded, failed or interrupted. */
    /** The closing summary; elapsed and speed over the command's own time since {@code started} (not the packing's). */
    private static void printSummary(TransferStats stats, TreeScan scan, String outcome, long sent, long skipped, long started) {
        long elapsed = System.nanoTime() - started;
        boolean ok = outcome.equals("succeeded");
        System.out.printf(Locale.ROOT, "  total files: %d%n  succeeded: %d%n  %s: %d%n  total size: %s%n"
                        + "  on the wire: %s (%d chunks already on the receiver)%n  average speed: %s%n  elapsed: %.1f s%n",
                scan.files(), ok ? scan.files() : 0, ok ? "failed" : outcome, ok ? 0 : scan.files(), DataSize.format(scan.bytes()),
                DataSize.format(sent), skipped, DataSize.rate(stats.contentBytes(), elapsed), elapsed / 1e9);
    }
}
