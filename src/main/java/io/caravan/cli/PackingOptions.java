package io.caravan.cli;

import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import picocli.CommandLine.Option;

/** The packing options shared by {@code pack} and {@code send}: codec, level, chunk size. */
final class PackingOptions {

    @Option(names = {"-c", "--codec"}, paramLabel = "<codec>", converter = Converters.CodecName.class,
            defaultValue = "zstd", description = "zstd|gzip|bzip2|xz|lz4|none (default: ${DEFAULT-VALUE}).")
    Codec codec;

    @Option(names = {"-l", "--level"}, paramLabel = "<n>",
            description = "Compression level (default: the codec's; zstd 3, gzip 6, xz 6, bzip2 9, lz4 1).")
    Integer level;

    @Option(names = {"-s", "--chunk-size"}, paramLabel = "<size>", converter = Converters.Size.class,
            defaultValue = "8MiB", description = "Chunk (part) size, e.g. 64KiB, 50MB, 8M (default: ${DEFAULT-VALUE}).")
    long chunkSize;

    /** Checked options for a parcel of that name; a level out of the codec's range is a usage error. */
    @Option(names = "--safe-links", description = "Skip symbolic links that point outside the tree (absolute, or out"
            + " through '..'), with a warning; by default links travel as links and are never followed.")
    boolean safeLinks;

    PackOptions toPackOptions(String name) {
        return new PackOptions(codec, Codecs.level(codec, level), chunkSize, name, safeLinks);
    }
}
