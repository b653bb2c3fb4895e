package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.Shell;
import io.caravan.unpack.ZstdFrameDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.io.input.BoundedInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parcel's zstd stream ends frames at entry boundaries about every {@link FrameCuts#SPACING} bytes:
 * each such frame decodes alone into the rest of the archive, the stream stays what the zstd tool and
 * tar read, and packing again gives the same bytes.
 */
class EntryFramesTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "auto"})
    void framesStartAtEntryHeadersAndEachDecodesTheRestAlone(String codec) throws Exception {
        Path source = tree(tmp.resolve("src"));
        LevelLog levels = LevelLog.inMemory();
        byte[] stream = pack(source, codec, levels);
        List<String> names = entries(new ZstdFrameDecoder(new ByteArrayInputStream(stream)));
        assertThat(names).hasSizeGreaterThan(100);

        List<ZstdFrameDecoder.FrameStart> restarts = restartPoints(stream);
        long tarSize = decode(stream).length;
        // one about every SPACING bytes of tar, give or take an entry
        assertThat(restarts.size()).isGreaterThanOrEqualTo((int) (tarSize / (FrameCuts.SPACING + 600_000)));
        for (ZstdFrameDecoder.FrameStart restart : restarts) {
            assertThat(restart.decoded() % 512).isZero();
            byte[] rest = Arrays.copyOfRange(stream, (int) restart.compressed(), stream.length);
            List<String> tail = entries(new ZstdFrameDecoder(new ByteArrayInputStream(rest)));
            assertThat(tail).isNotEmpty();
            assertThat(names.subList(names.size() - tail.size(), names.size())).isEqualTo(tail);
        }

        Files.write(tmp.resolve("p.tar.zst"), stream);
        Shell.require("zstd");
        String listed = Shell.run(tmp, "zstd -q -d -c p.tar.zst | tar -t");
        assertThat(listed.lines().toList()).isEqualTo(names);
        LevelLog replayed = LevelLog.of(levels.levels().stream().mapToInt(Integer::intValue).toArray());
        assertThat(pack(source, codec, replayed)).as("the same input (and levels) give the same stream").isEqualTo(stream);
    }

    /** The frame starts after the first whose decoded offset is an entry's first header. */
    private static List<ZstdFrameDecoder.FrameStart> restartPoints(byte[] stream) throws IOException {
        ZstdFrameDecoder decoder = new ZstdFrameDecoder(new ByteArrayInputStream(stream));
        BoundedInputStream counted = BoundedInputStream.builder().setInputStream(decoder).get();
        List<ZstdFrameDecoder.FrameStart> found = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(counted, 512, 512, "UTF-8")) {
            while (true) {
                long at = (counted.getCount() + 511) / 512 * 512; // the previous entry's content is read: its padding follows
                TarArchiveEntry entry = tar.getNextEntry();
                if (entry == null) {
                    break;
                }
                ZstdFrameDecoder.FrameStart start = decoder.frameStartingAt(at);
                if (start != null && start.compressed() > 0) {
                    found.add(start);
                }
                tar.transferTo(OutputStream.nullOutputStream());
            }
        }
        return found;
    }

    private byte[] pack(Path source, String codec, LevelLog levels) throws IOException {
        Codec chosen = codec.equals("auto") ? new AutoCodec(2, 1 << 20) : new ZstdCodec(2);
        PackHooks hooks = new PackHooks() {
            @Override
            public LevelLog levels() {
                return levels;
            }
        };
        return io.caravan.PackUnpack.packToBytes(source, new PackOptions(chosen, 3, 1 << 20, "p"), hooks);
    }

    /** Small text files, larger text and random files, a few links: ~14 MiB of tar. */
    private static Path tree(Path root) throws IOException {
        Random random = new Random(42);
        for (int d = 0; d < 6; d++) {
            Path dir = Files.createDirectories(root.resolve("dir" + d));
            for (int f = 0; f < 40; f++) {
                Files.write(dir.resolve("small" + f + ".txt"), text(random, random.nextInt(20_000)));
            }
            Files.write(dir.resolve("text.log"), text(random, 900_000 + random.nextInt(400_000)));
            byte[] noise = new byte[600_000 + random.nextInt(300_000)];
            random.nextBytes(noise);
            Files.write(dir.resolve("noise.bin"), noise);
            Files.createSymbolicLink(dir.resolve("link"), Path.of("text.log"));
        }
        return root;
    }

    private static byte[] text(Random random, int size) {
        String[] words = {"caravan ", "parcel ", "chunk ", "frame ", "entry ", "receiver ", "sender\n"};
        StringBuilder text = new StringBuilder(size + 16);
        while (text.length() < size) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(1000));
        }
        return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    private static List<String> entries(InputStream tarStream) throws IOException {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(tarStream, "UTF-8")) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                names.add(entry.getName());
            }
        }
        return names;
    }

    private static byte[] decode(byte[] stream) throws IOException {
        try (InputStream in = new ZstdFrameDecoder(new ByteArrayInputStream(stream))) {
            return in.readAllBytes();
        }
    }
}
