package io.caravan.receiver;

import io.caravan.session.Syncer;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;

/** Joins chunk files in order into one file, hashing it, and forces it to disk (a raw session's finish, before its publish). */
final class RawConcatenation {

    private RawConcatenation() {
    }

    static String concatenate(List<Path> chunks, Path target, Syncer syncer) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        byte[] buffer = new byte[1 << 20];
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (Path chunk : chunks) {
                try (var in = Files.newInputStream(chunk)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(buffer, 0, n);
                        while (bytes.hasRemaining()) {
                            out.write(bytes);
                        }
                    }
                }
            }
            syncer.file(target, out);
        }
        return Sha256.hex(digest);
    }
}
