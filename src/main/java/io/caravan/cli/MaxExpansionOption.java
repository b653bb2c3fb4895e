package io.caravan.cli;

import io.caravan.download.ParcelDownload;
import picocli.CommandLine.Option;

/**
 * {@code --max-expansion}: the most bytes a parcel may unpack to per compressed byte once it has unpacked
 * 64 MiB, {@code caravan get}'s and {@code caravan unpack}'s alike (the receiver's default; 0: no limit).
 */
final class MaxExpansionOption {

    @Option(names = "--max-expansion", paramLabel = "<ratio>", defaultValue = "" + ParcelDownload.DEFAULT_MAX_EXPANSION,
            converter = Converters.NotNegative.class,
            description = {"Refuse a parcel that unpacks to more than this many bytes per compressed byte once it has"
                    + " unpacked 64 MiB, as a decompression bomb (default: ${DEFAULT-VALUE}, the receiver's; 0: no limit)."
                    + " Whatever the ratio, a parcel never unpacks to more entries or bytes than its manifest declares."})
    long ratio;

    /** The ratio given (a negative one is refused as the command line is read). */
    long ratio() {
        return ratio;
    }
}
