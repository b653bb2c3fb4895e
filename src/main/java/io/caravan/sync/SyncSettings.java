package io.caravan.sync;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A mirror to keep: local {@code root}, receiver {@code url} (and {@code token}), mirror
 * {@code name} on it, how to compare, parallel parcels ({@code workers}, 1–20), where the sender
 * keeps its state, how long a changed path must be quiet before it is sent ({@code settle}) and how
 * often the whole tree is compared again while watching ({@code rescan}).
 */
public record SyncSettings(Path root, String url, String token, String name, SyncMode mode, boolean checksum,
                           int workers, Path stateDir, Duration settle, Duration rescan) {

    public SyncSettings {
        if (workers < 1 || workers > 20) {
            throw new IllegalArgumentException("workers must be between 1 and 20, was " + workers);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name the mirror (--name)");
        }
        root = root.toAbsolutePath().normalize();
    }
}
