package io.caravan.cli;

import io.caravan.bandwidth.TokenBucket;
import io.caravan.share.ShareClient;
import io.caravan.share.ShareFollower;
import io.caravan.sync.LocalMirror;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncMode;
import io.caravan.util.Durations;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code caravan sync --from <share url> <dir>}: the follow side of {@link SyncCommand}, with its
 * options (mode, checksum, workers, excludes and guards, dry run, once, free space to keep) applied to the local folder.
 */
final class FollowCommand {

    private FollowCommand() {
    }

    static int follow(SyncCommand options) throws Exception {
        TokenBucket bandwidth = options.bandwidth.bucket(); // a limit it cannot read is a usage error at once
        Path target = options.dir.toAbsolutePath().normalize();
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IllegalArgumentException("'" + options.dir + "' is not a folder");
        }
        Files.createDirectories(target);
        SyncConsole console = new SyncConsole(System.out, options.verbosity.quiet());
        // a header value is ASCII: the folder's name is percent-encoded where it is not
        String follower = host() + ":" + java.net.URLEncoder.encode(target.toString(), java.nio.charset.StandardCharsets.UTF_8)
                .replace("%2F", "/").replace("+", "%20");
        ShareClient client = new ShareClient(options.from, options.connection.access.token, follower,
                options.connection.access.trust(), why -> console.notice("Refused: " + why)).limit(bandwidth);
        LocalMirror mirror = new LocalMirror(target, SyncMode.parse(options.mode), options.checksum, options.workers,
                options.safety.rules(), options.safety.guards(), options.safety.dryRun, Durations.parse(options.keepVersions),
                console, client).withMinFreeSpace(options.minFreeSpace);
        ShareFollower follow = new ShareFollower(client, mirror, options.checksum, Duration.ofSeconds(25), console);
        if (options.once || options.safety.dryRun) {
            return follow.once().ok() ? CaravanCli.OK : CaravanCli.FAILURE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(follow::close));
        follow.run();
        return CaravanCli.OK;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "follower";
        }
    }
}
