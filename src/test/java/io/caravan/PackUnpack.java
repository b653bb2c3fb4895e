package io.caravan;

import io.caravan.pack.ChunkInfo;
import io.caravan.pack.ChunkTarget;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackHooks;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.pack.PartFileTarget;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.UnpackResult;
import io.caravan.unpack.Unpacker;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/** Short forms of the engine calls the tests repeat. */
public final class PackUnpack {

    private PackUnpack() {
    }

    public static PackOptions options(String codec, long chunkSize) {
        return new PackOptions(Codecs.byName(codec), Codecs.byName(codec).defaultLevel(), chunkSize, "parcel");
    }

    public static Manifest pack(List<Path> sources, Path prefix, PackOptions options, ProgressListener listener)
            throws IOException {
        PartFileTarget target = new PartFileTarget(prefix);
        Manifest manifest = new Packer(options, listener).pack(sources, target);
        target.writeManifest(manifest);
        return manifest;
    }

    public static Manifest pack(Path source, Path prefix, String codec, long chunkSize) throws IOException {
        return pack(List.of(source), prefix, options(codec, chunkSize), ProgressListener.NONE);
    }

    /** The parcel's stream, its chunks joined in memory. */
    public static byte[] packToBytes(Path source, PackOptions options, PackHooks hooks) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        new Packer(options, ProgressListener.NONE, hooks).pack(List.of(source), new ChunkTarget() {
            @Override
            public OutputStream open(int index) {
                return new FilterOutputStream(all) {
                    @Override
                    public void write(byte[] b, int off, int len) {
                        all.write(b, off, len);
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void completed(ChunkInfo chunk) {
            }
        });
        return all.toByteArray();
    }

    public static UnpackResult unpack(Path prefix, Path destination) throws IOException {
        return new Unpacker(UnpackOptions.DEFAULT, ProgressListener.NONE).unpackParts(prefix, destination);
    }
}
