package io.caravan.pack;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The codecs Caravan knows, looked up by name or detected from a stream's first bytes. */
public final class Codecs {

    /** Longest signature any codec looks at. */
    public static final int SIGNATURE_LENGTH = 6;

    private static final List<Codec> ALL = List.of(
            new ZstdCodec(), new GzipCodec(), new Bzip2Codec(), new XzCodec(), new Lz4Codec(), new NoneCodec(), new AutoCodec());

    private Codecs() {
    }

    /** The codecs' levels, for a message: "zstd 1-19, gzip 1-9, ..." (those that have more than one). */
    public static String levels() {
        return ALL.stream().filter(c -> c.minLevel() < c.maxLevel() && !c.name().equals("auto"))
                .map(c -> c.name() + " " + c.minLevel() + "-" + c.maxLevel()).collect(Collectors.joining(", "));
    }

    /** The highest level any codec takes. */
    public static int highestLevel() {
        return ALL.stream().mapToInt(Codec::maxLevel).max().orElseThrow();
    }

    public static String names() {
        return ALL.stream().map(Codec::name).collect(Collectors.joining("|"));
    }

    /** The codec with that name ({@code gz}, {@code zst} and {@code bz2} are accepted as aliases). */
    public static Codec byName(String name) {
        String wanted = switch (name.toLowerCase(Locale.ROOT)) {
            case "zst", "zstandard" -> "zstd";
            case "gz" -> "gzip";
            case "bz2" -> "bzip2";
            case "tar", "raw" -> "none";
            default -> name.toLowerCase(Locale.ROOT);
        };
        return ALL.stream().filter(c -> c.name().equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown codec '" + name + "': use one of " + names()));
    }

    /** Level to use: {@code level} if given (non-null), checked against the codec's range. */
    public static int level(Codec codec, Integer level) {
        if (level == null) {
            return codec.defaultLevel();
        }
        if (level < codec.minLevel() || level > codec.maxLevel()) {
            throw new IllegalArgumentException(String.format(
                    "%s level %d is out of range: use %d to %d", codec.name(), level, codec.minLevel(), codec.maxLevel()));
        }
        requireHeapFor(codec, level);
        return level;
    }

    /**
     * The share of the heap a compressor may take: the rest holds the chunks in flight and everything else. Two
     * thirds keep xz's default level (93 MiB) within the launcher's heap (154 MiB as the JVM reports it).
     */
    static final double COMPRESSOR_HEAP_SHARE = 2.0 / 3;

    /**
     * Refuses {@code level} of {@code codec} when its compressor needs more than {@link #COMPRESSOR_HEAP_SHARE} of this
     * process's heap, which it would run out of, naming the highest level that fits and the heap the level needs.
     */
    private static void requireHeapFor(Codec codec, int level) {
        long heap = Runtime.getRuntime().maxMemory();
        long room = (long) (heap * COMPRESSOR_HEAP_SHARE);
        long needed = codec.compressorHeap(level);
        if (needed <= room) {
            return;
        }
        int fits = level;
        while (fits > codec.minLevel() && codec.compressorHeap(fits) > room) {
            fits--;
        }
        throw new IllegalArgumentException(String.format("%s level %d needs %d MiB of memory to compress, more than the %d MiB"
                + " this process's heap of %d MiB leaves a compressor: use level %d or lower, or give Caravan a larger heap"
                + " (JAVA_OPTS=-Xmx%dm)", codec.name(), level, needed >> 20, room >> 20, heap >> 20, fits,
                (long) (needed / COMPRESSOR_HEAP_SHARE) >> 20));
    }

    /** The codec whose signature starts {@code in}; {@code in} must support mark/reset. */
    public static Codec detect(BufferedInputStream in) throws IOException {
        byte[] signature = new byte[SIGNATURE_LENGTH];
        in.mark(SIGNATURE_LENGTH);
        int length = in.readNBytes(signature, 0, SIGNATURE_LENGTH);
        in.reset();
        for (Codec codec : ALL) {
            if (codec.matches(signature, length)) {
                return codec;
            }
        }
        throw new IllegalStateException("unreachable: the none codec matches everything");
    }

    /** Decompressing view of {@code in}, whatever codec it was written with, its decoder within half the heap. */
    public static InputStream autoDecompress(InputStream in) throws IOException {
        return autoDecompress(in, DecoderMemory.ONE_OF_HEAP);
    }

    /** Decompressing view of {@code in}, whatever codec it was written with, its decoder within {@code memory}. */
    public static InputStream autoDecompress(InputStream in, DecoderMemory memory) throws IOException {
        BufferedInputStream buffered = in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 64 * 1024);
        return detect(buffered).decompressor(buffered, memory);
    }
}
