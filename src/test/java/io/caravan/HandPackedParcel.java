package io.caravan;

import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Parcels made by hand, as a hostile or broken packer would: a tar.zst stream and a manifest whose chunk
 * and whole-stream hashes match it, declaring whatever {@code entries} and {@code content_bytes} it is given.
 */
public final class HandPackedParcel {

    /** The chunk size of every crafted parcel. */
    public static final int CHUNK = 4096;

    private HandPackedParcel() {
    }

    /** A zstd parcel of {@code stream} in {@link #CHUNK}-byte chunks declaring {@code entries} and {@code contentBytes}. */
    public static Manifest manifest(String name, byte[] stream, Long entries, Long contentBytes) {
        return manifest(name, "zstd", 3, stream, entries, contentBytes);
    }

    /** A {@code codec} parcel of {@code stream} in {@link #CHUNK}-byte chunks declaring no entry count or content size. */
    public static Manifest manifest(String name, String codec, byte[] stream) {
        return manifest(name, codec, Codecs.byName(codec).defaultLevel(), stream, null, null);
    }

    private static Manifest manifest(String name, String codec, int level, byte[] stream, Long entries, Long contentBytes) {
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int offset = 0, i = 0; offset < stream.length; offset += CHUNK, i++) {
            int size = Math.min(CHUNK, stream.length - offset);
            chunks.add(new ChunkInfo(i, size, Sha256.of(stream, offset, size)));
        }
        return new Manifest(Manifest.VERSION, Manifest.FORMAT, name, codec, level, CHUNK, chunks.size(), stream.length,
                Sha256.of(stream, 0, stream.length), entries, contentBytes, "2026-01-01T00:00:00Z", chunks);
    }

    /** Chunk {@code index} of {@code stream}. */
    public static byte[] chunk(byte[] stream, int index) {
        return Arrays.copyOfRange(stream, index * CHUNK, Math.min(stream.length, (index + 1) * CHUNK));
    }

    /** Writes {@code stream} as the part set {@code prefix} ({@code .part0000}, …) with {@code manifest} beside it. */
    public static void writeParts(Path prefix, Manifest manifest, byte[] stream) throws IOException {
        for (ChunkInfo chunk : manifest.chunks()) {
            Files.write(PartFiles.part(prefix, chunk.index()), chunk(stream, chunk.index()));
        }
        manifest.write(PartFiles.manifest(prefix));
    }

    /** A tar.zst of the folder {@code name} holding one file {@code zeros} of {@code size} zero bytes. */
    public static byte[] zeros(String name, long size) throws IOException {
        return tarZst(tar -> {
            tar.putArchiveEntry(new TarArchiveEntry(name + "/"));
            tar.closeArchiveEntry();
            TarArchiveEntry zeros = new TarArchiveEntry(name + "/zeros");
            zeros.setSize(size);
            tar.putArchiveEntry(zeros);
            try (InputStream in = HeaderBombTar.zeros(size)) {
                in.transferTo(tar);
            }
            tar.closeArchiveEntry();
        });
    }

    /** A tar.zst of the folder {@code name} holding {@code count} empty files. */
    public static byte[] manyFiles(String name, int count) throws IOException {
        return tarZst(tar -> {
            tar.putArchiveEntry(new TarArchiveEntry(name + "/"));
            tar.closeArchiveEntry();
            for (int i = 0; i < count; i++) {
                tar.putArchiveEntry(new TarArchiveEntry(name + "/f" + i));
                tar.closeArchiveEntry();
            }
        });
    }

    private interface Entries {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tarZst(Entries entries) throws IOException {
        Codec zstd = Codecs.byName("zstd");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = zstd.compressor(out, 3);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(z, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.write(tar);
            tar.finish();
        }
        return out.toByteArray();
    }
}
