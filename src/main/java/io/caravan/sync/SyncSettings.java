package io.caravan.sync;

import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A mirror to keep: local {@code root}, receiver {@code url} (and {@code token}), mirror
 * {@code name} on it, how to compare, parallel parcels ({@code workers}, 1–20), where the sender
 * keeps its state, how long a changed path must be quiet before it is sent ({@code settle}) and how
 * often the whole tree is compared again while watching ({@code rescan}); which paths to leave out
 * ({@code rules}, before those of the root's {@code .caravanignore}), the {@code guards} every pass
 * must pass, {@code dryRun} (passes only print what they would do), and {@code safeLinks} (links that
 * point outside the tree are left out); {@code ssl} trusts the receiver's certificate (null: the JDK's default);
 * {@code codec} packs the parcels ({@code auto} unless given).
 */
public record SyncSettings(Path root, String url, String token, String name, SyncMode mode, boolean checksum,
                           int workers, Path stateDir, Duration settle, Duration rescan,
                           List<PathFilter.Rule> rules, SyncGuards guards, boolean dryRun, boolean safeLinks,
                           SSLContext ssl, Codec codec) {

    public SyncSettings {
        if (workers < 1 || workers > 20) {
            throw new IllegalArgumentException("workers must be between 1 and 20, was " + workers);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name the mirror (--name)");
        }
        root = root.toAbsolutePath().normalize();
        rules = List.copyOf(rules);
        codec = codec == null ? Codecs.byName("auto") : codec;
    }

    /** No exclude rules, the default guards, real passes. */
    public SyncSettings(Path root, String url, String token, String name, SyncMode mode, boolean checksum,
                        int workers, Path stateDir, Duration settle, Duration rescan) {
        this(root, url, token, name, mode, checksum, workers, stateDir, settle, rescan, List.of(), SyncGuards.DEFAULT, false, false, null,
                null);
    }

    public SyncSettings with(List<PathFilter.Rule> rules, SyncGuards guards, boolean dryRun) {
        return new SyncSettings(root, url, token, name, mode, checksum, workers, stateDir, settle, rescan, rules, guards, dryRun,
                safeLinks, ssl, codec);
    }

    /** These settings, leaving out links that point outside the tree when {@code skip} (--safe-links). */
    public SyncSettings withSafeLinks(boolean skip) {
        return new SyncSettings(root, url, token, name, mode, checksum, workers, stateDir, settle, rescan, rules, guards, dryRun,
                skip, ssl, codec);
    }

    /** These settings, trusting the receiver's certificate through {@code context} (null: the JDK's default trust). */
    public SyncSettings withTrust(SSLContext context) {
        return new SyncSettings(root, url, token, name, mode, checksum, workers, stateDir, settle, rescan, rules, guards, dryRun,
                safeLinks, context, codec);
    }

    /** These settings, packing parcels with {@code packing} (null: {@code auto}). */
    public SyncSettings withCodec(Codec packing) {
        return new SyncSettings(root, url, token, name, mode, checksum, workers, stateDir, settle, rescan, rules, guards, dryRun,
                safeLinks, ssl, packing);
    }
}
