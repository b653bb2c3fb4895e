package io.caravan.pack;

/**
 * How to pack: codec and level, chunk size, the parcel name written in the manifest, and whether
 * symbolic links that point outside the packed tree are skipped ({@code safeLinks}, rsync's name),
 * and whether tar entries keep mtimes to the millisecond ({@code exactTimes}: a PAX record per entry,
 * for mirrors, which compare mtimes) or in whole seconds (tar's own precision, smaller and faster).
 * Checked on construction so a bad option fails before any file is read.
 */
public record PackOptions(Codec codec, int level, long chunkSize, String name, boolean safeLinks, boolean exactTimes) {

    public static final long DEFAULT_CHUNK_SIZE = 8L * 1024 * 1024;

    /** Largest chunk a chunk message may carry; also bounds what a receiver accepts. */
    public static final long MAX_CHUNK_SIZE = 1L << 30;

    public PackOptions {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunk size must be between 1 byte and 1 GiB, was " + chunkSize);
        }
        level = Codecs.level(codec, level);
    }

    public PackOptions(Codec codec, int level, long chunkSize, String name) {
        this(codec, level, chunkSize, name, false);
    }

    public PackOptions(Codec codec, int level, long chunkSize, String name, boolean safeLinks) {
        this(codec, level, chunkSize, name, safeLinks, false);
    }

    public static PackOptions defaults(String name) {
        Codec zstd = Codecs.byName("zstd");
        return new PackOptions(zstd, zstd.defaultLevel(), DEFAULT_CHUNK_SIZE, name);
    }

    public PackOptions withChunkSize(long newChunkSize) {
        return new PackOptions(codec, level, newChunkSize, name, safeLinks, exactTimes);
    }

    public PackOptions withName(String newName) {
        return new PackOptions(codec, level, chunkSize, newName, safeLinks, exactTimes);
    }

    public PackOptions withSafeLinks(boolean skipOutsideLinks) {
        return new PackOptions(codec, level, chunkSize, name, skipOutsideLinks, exactTimes);
    }

    /** These options with mtimes kept to the millisecond ({@code true}) or in whole seconds. */
    public PackOptions withExactTimes(boolean milliseconds) {
        return new PackOptions(codec, level, chunkSize, name, safeLinks, milliseconds);
    }
}
