package io.caravan;

import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.pack.PartFileTarget;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.UnpackResult;
import io.caravan.unpack.Unpacker;
import java.io.IOException;
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

    public static UnpackResult unpack(Path prefix, Path destination) throws IOException {
        return new Unpacker(UnpackOptions.DEFAULT, ProgressListener.NONE).unpackParts(prefix, destination);
    }
}
