package io.caravan.cli;

import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import picocli.CommandLine.Option;

/**
 * The packing options shared by {@code pack} and {@code send}: codec, level, chunk size. The default
 * codec is the command's: {@code auto} for {@code send}, {@code zstd} for {@code pack}, whose parts
 * are the same for the same input.
 */
final class PackingOptions {

    @Option(names = {"-c", "--codec"}, paramLabel = "<codec>", converter = Converters.CodecName.class,
            description = "auto|zstd|gzip|bzip2|xz|lz4|none. auto: zstd at a level that follows the link, segments that"
                    + " barely compress stored (default: auto for send, zstd for pack).")
    Codec codec;

    @Option(names = {"-l", "--level"}, paramLabel = "<n>", converter = Converters.Level.class,
            description = "Compression level (default: the codec's; zstd 3, gzip 6, xz 6, bzip2 9, lz4 1; with auto the"
                    + " highest level it may pick, 6). A level whose compressor needs more than two thirds of the heap is refused"
                    + " (xz 7 to 9 in the default heap).")
    Integer level;

    @Option(names = {"-s", "--chunk-size"}, paramLabel = "<size>", converter = Converters.ChunkSize.class,
            defaultValue = "8MiB", description = "Chunk (part) size, 1 byte to 1 GiB, e.g. 64KiB, 50MB, 8M (default: ${DEFAULT-VALUE}).")
    long chunkSize;

    /** Checked options for a parcel of that name; a level out of the codec's range is a usage error. */
    @Option(names = "--safe-links", description = "Skip symbolic links that point outside the tree (absolute, or out"
            + " through '..'), with a warning; by default links travel as links and are never followed.")
    boolean safeLinks;

    /** Options defaulting to zstd. */
    PackingOptions() {
        this("zstd");
    }

    /** Options defaulting to the codec {@code defaultCodec}. */
    PackingOptions(String defaultCodec) {
        this.codec = Codecs.byName(defaultCodec);
    }

    PackOptions toPackOptions(String name) {
        return new PackOptions(codec, Codecs.level(codec, level), chunkSize, name, safeLinks);
    }
}
