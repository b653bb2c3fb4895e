package io.caravan.sender;

import io.caravan.pack.PackOptions;
import java.nio.file.Path;

/**
 * How a sender ships: where to ({@code url}, {@code token}), how to pack, how many chunks in
 * flight, the dedup threshold ({@code -1} disables dedup), where its journal and hash cache live,
 * and the retry budget.
 */
public record SenderSettings(String url, String token, PackOptions pack, int parallel, long dedupMinSize,
                             Path stateDir, Retry retry) {

    public SenderSettings {
        if (parallel < 1 || parallel > 64) {
            throw new IllegalArgumentException("parallel must be between 1 and 64, was " + parallel);
        }
    }
}
