package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;

import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A zstd-compressed tar stream made for a test (crafted entries, or a file of zeros that compresses
 * to almost nothing: a decompression bomb), cut into chunks with its manifest, and the calls that
 * upload and finish it.
 */
record CraftedParcel(List<byte[]> parts, Manifest manifest) {

    /** What a test writes into the tar stream. */
    @FunctionalInterface
    interface TarWriter {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    static CraftedParcel of(TarWriter writer, int chunkSize) throws IOException {
        return of(writer, chunkSize, "UTF-8");
    }

    /** Like {@link #of(TarWriter, int)}, the names in the tar headers written in {@code encoding}. */
    static CraftedParcel of(TarWriter writer, int chunkSize, String encoding) throws IOException {
        Codec zstd = Codecs.byName("zstd");
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream z = zstd.compressor(compressed, zstd.defaultLevel());
             TarArchiveOutputStream tar = new TarArchiveOutputStream(z, encoding)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            writer.write(tar);
            tar.finish();
        }
        return cut(compressed.toByteArray(), chunkSize);
    }

    /** The parcel of a tar archive made elsewhere ({@code tar}'s bytes), compressed with zstd. */
    static CraftedParcel ofTar(byte[] tar, int chunkSize) throws IOException {
        Codec zstd = Codecs.byName("zstd");
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream z = zstd.compressor(compressed, zstd.defaultLevel())) {
            z.write(tar);
        }
        return cut(compressed.toByteArray(), chunkSize);
    }

    /** Writes one regular file entry (mode 644) into a crafted tar stream. */
    static void file(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        io.caravan.TestTrees.tarFile(tar, name, content);
    }

    /** A tar holding one file {@code name} of {@code size} zero bytes. */
    static CraftedParcel zeros(String name, long size, int chunkSize) throws IOException {
        return of(tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(size);
            entry.setMode(0100644);
            tar.putArchiveEntry(entry);
            byte[] block = new byte[1 << 20];
            for (long left = size; left > 0; left -= block.length) {
                tar.write(block, 0, (int) Math.min(block.length, left));
            }
            tar.closeArchiveEntry();
        }, chunkSize);
    }

    private static CraftedParcel cut(byte[] stream, int chunkSize) {
        List<byte[]> parts = new ArrayList<>();
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int off = 0, i = 0; off < stream.length; off += chunkSize, i++) {
            byte[] part = Arrays.copyOfRange(stream, off, Math.min(stream.length, off + chunkSize));
            parts.add(part);
            chunks.add(new ChunkInfo(i, part.length, Sha256.of(part, 0, part.length)));
        }
        Codec zstd = Codecs.byName("zstd");
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "crafted", "zstd", zstd.defaultLevel(),
                chunkSize, parts.size(), stream.length, Sha256.of(stream, 0, stream.length), null, null, null, chunks);
        return new CraftedParcel(parts, manifest.validate());
    }

    int count() {
        return parts.size();
    }

    /** Uploads every chunk, each expected to be stored (201). */
    void upload(ReceiverFixture receiver, String sid) throws Exception {
        for (int i = 0; i < parts.size(); i++) {
            ok(put(receiver, sid, i, parts.get(i)), 201);
        }
    }

    HttpResponse<String> finish(ReceiverFixture receiver, String sid) throws Exception {
        return receiver.post("/finish/" + sid, manifest.toJson());
    }
}
