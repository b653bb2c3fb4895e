package io.caravan.cli;

import io.caravan.pack.Codec;
import io.caravan.sender.ReceiverClient;
import io.caravan.sync.MirrorSync;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncMode;
import io.caravan.sync.SyncSettings;
import io.caravan.sync.Watcher;
import io.caravan.util.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code caravan sync}: keeps a mirror of a folder on a receiver, once or continuously. */
@Command(name = "sync", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Mirrors a folder to <inbox>/<name> on a receiver: compares the tree with the mirror, sends new and"
                + " changed entries as parcels applied file by file, renames and deletes on the mirror, then keeps"
                + " watching (unless --once) and ships each change once it settles.",
                "With --from, follows a folder a server shares (caravan serve --share) into <dir> instead: compares"
                + " <dir> with the share, then applies each change the server reports (unless --once).", ""},
        footer = {"", "Examples:", "  caravan sync ./site --to http://10.0.1.100:8834 --name site --once",
                "  caravan sync D:/source --to http://backup:8834 --mode full --workers 10",
                "  caravan sync ./site --to http://backup:8834 --exclude '*.tmp' --exclude cache/ --max-delete 100 --dry-run",
                "  caravan sync --from http://10.0.1.100:8834/shares/site ./site --workers 10"})
final class SyncCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<dir>", description = "Folder to mirror (with --from: the folder that follows the share).")
    Path dir;

    @Option(names = "--to", paramLabel = "<url>", description = "Receiver URL, e.g. http://host:8834"
            + " (host:port means http://host:port).")
    String to;

    @Option(names = "--from", paramLabel = "<share-url>", description = "Follow a shared folder instead:"
            + " http://host:8834/shares/<name> (the server runs caravan serve --share <name>=<dir>).")
    String from;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    BandwidthOption bandwidth;

    @Option(names = "--name", paramLabel = "<mirror>", description = "Mirror name on the receiver (default: the folder's name).")
    String name;

    @Option(names = "--mode", defaultValue = "incremental", description = "incremental (size + mtime) or full (resend everything).")
    String mode;

    @Option(names = "--checksum", description = "Compare file content by SHA-256 instead of trusting size + mtime.")
    boolean checksum;

    @Option(names = "--workers", defaultValue = "5", converter = Converters.Workers.class, description = "Parcels in flight, 1-20; their chunks take turns for half the heap, so large"
            + " files may go fewer at a time (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--once", description = "One pass, then exit (1 if anything failed).")
    boolean once;

    @Option(names = "--rescan", defaultValue = "60s", description = "Full comparison period while watching (default: ${DEFAULT-VALUE}).")
    String rescan;

    @Option(names = "--settle", defaultValue = "400ms", description = "Quiet time before a changed path is sent (default: ${DEFAULT-VALUE}).")
    String settle;

    @Option(names = "--codec", paramLabel = "<codec>", converter = Converters.CodecName.class, defaultValue = "auto",
            description = "auto (zstd at a level that follows the link, files that barely compress stored), zstd (level 1),"
                    + " none, or gzip|bzip2|xz|lz4 at their default level (default: ${DEFAULT-VALUE}).")
    Codec codec;

    @Option(names = "--keep-versions", defaultValue = "7d", paramLabel = "<duration>", description = "With --from: how long files"
            + " a change replaces or deletes stay in <dir>/.caravan-follow/versions (0: deleted at once; default: ${DEFAULT-VALUE}).")
    String keepVersions;

    @Option(names = "--min-free-space", paramLabel = "<size>", converter = Converters.Size.class, defaultValue = "256MiB",
            description = "With --from: fetch no file whose listed size would leave less free space than this on the disk of"
                    + " <dir> (default: ${DEFAULT-VALUE}).")
    long minFreeSpace;

    @Mixin
    SyncSafetyOptions safety;

    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws Exception {
        verbosity.applyToLogs();
        if ((to == null) == (from == null)) {
            throw new IllegalArgumentException(to == null ? "say where to: --to <receiver url> (push this folder) or --from"
                    + " <share url> (follow a shared folder)" : "--to and --from exclude each other: push with --to, follow with --from");
        }
        if (from != null) {
            return FollowCommand.follow(this);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("'" + dir + "' is not a folder");
        }
        Path root = dir.toAbsolutePath().normalize();
        Path state = connection.prepare();
        SyncSettings settings = new SyncSettings(root, ReceiverClient.normalize(to), connection.access.token,
                name != null ? name : root.getFileName().toString(),
                SyncMode.parse(mode), checksum, workers, state, Durations.parse(settle), Durations.parse(rescan))
                .with(safety.rules(), safety.guards(), safety.dryRun).withSafeLinks(safety.safeLinks)
                .withTrust(connection.access.trust()).withCodec(codec);
        // one line per parcel would drown the seed's progress lines; warnings and failures still show
        org.apache.logging.log4j.core.config.Configurator.setLevel("io.caravan.sender.ParcelUpload",
                org.apache.logging.log4j.Level.WARN);
        // a sync's parcels are resumed from the receiver's sessions: nothing may abandon them on the way out
        Interruptions.installHalting("stopping the sync of " + root + "; the parcels in flight stay on the receiver:"
                + " run the same command again to continue", java.time.Duration.ofSeconds(2));
        SyncConsole console = new SyncConsole(System.out, verbosity.quiet());
        MirrorSync sync = new MirrorSync(settings, console);
        sync.limit(bandwidth.bucket());
        if (once || safety.dryRun) {
            return sync.pass(true, Set.of(), Set.of()).ok() ? CaravanCli.OK : CaravanCli.FAILURE;
        }
        Watcher watcher = new Watcher(settings, sync, console);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                watcher.close();
            } catch (java.io.IOException e) {
                // exiting anyway
            }
        }));
        watcher.run();
        return CaravanCli.OK;
    }
}
