package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tar made by GNU tar {@code --sparse} of one file that is a hole but for its last three bytes: a few KB for any size. */
public final class SparseTar {

    private SparseTar() {
    }

    /** Writes {@code <dir>/sparse.tar} holding {@code <top>/sparse.img} of {@code realSize} bytes. */
    public static Path write(Path dir, String top, long realSize) throws Exception {
        return write(dir, top, realSize, "--format=gnu");
    }

    /** As above, in the tar format {@code format} gives (such as {@code --format=pax}, sparse map 1.0). */
    public static Path write(Path dir, String top, long realSize, String format) throws Exception {
        Path src = Files.createDirectories(dir.resolve("sparse-src").resolve(top));
        try (RandomAccessFile file = new RandomAccessFile(src.resolve("sparse.img").toFile(), "rw")) {
            file.seek(realSize - 3);
            file.write("hi\n".getBytes(StandardCharsets.UTF_8));
        }
        Path archive = dir.resolve("sparse.tar");
        Process tar = new ProcessBuilder("tar", "--sparse", format, "-cf", archive.toString(), "-C", src.getParent().toString(), top)
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor()).as(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(Files.size(archive)).as("the archive stores the holes as holes").isLessThan(64 * 1024);
        Files.delete(src.resolve("sparse.img"));
        return archive;
    }
}
