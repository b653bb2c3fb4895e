package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChunkingOutputStreamTest {

    /** Collects chunks in memory. */
    static final class Collect implements ChunkTarget {
        final List<byte[]> bodies = new ArrayList<>();
        final List<ChunkInfo> infos = new ArrayList<>();
        ByteArrayOutputStream current;
        boolean finished;

        @Override
        public OutputStream open(int index) {
            assertThat(index).isEqualTo(bodies.size());
            current = new ByteArrayOutputStream();
            return current;
        }

        @Override
        public void completed(ChunkInfo chunk) {
            bodies.add(current.toByteArray());
            infos.add(chunk);
        }

        @Override
        public void finished(Throwable failure) {
            finished = true;
        }
    }

    @ParameterizedTest(name = "{0} bytes in chunks of {1}")
    @CsvSource({"1000,1001,1", "1000,1000,1", "1000,999,2", "1000,1,1000", "2048,1024,2", "2049,1024,3"})
    void cutsExactlyAtChunkSizeWithNoEmptyTrailingChunk(int length, int chunkSize, int expectedChunks) throws IOException {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        Collect target = new Collect();
        ChunkingOutputStream out = new ChunkingOutputStream(chunkSize, target);
        // odd write sizes cross chunk boundaries inside one write
        for (int off = 0; off < length; ) {
            int n = Math.min(37, length - off);
            out.write(data, off, n);
            off += n;
        }
        out.close();
        assertThat(target.finished).isTrue();
        assertThat(target.bodies).hasSize(expectedChunks);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < expectedChunks; i++) {
            byte[] body = target.bodies.get(i);
            assertThat(body.length).isEqualTo(i < expectedChunks - 1 ? chunkSize : length - chunkSize * (expectedChunks - 1));
            assertThat(target.infos.get(i).checksum()).isEqualTo(Sha256.of(body, 0, body.length));
            assertThat(target.infos.get(i).size()).isEqualTo(body.length);
            joined.write(body);
        }
        assertThat(joined.toByteArray()).isEqualTo(data);
        assertThat(out.totalSize()).isEqualTo(length);
        assertThat(out.totalSha256()).isEqualTo(Sha256.of(data, 0, length));
    }

    @Test
    void anEmptyStreamHasNoChunks() throws IOException {
        Collect target = new Collect();
        ChunkingOutputStream out = new ChunkingOutputStream(10, target);
        out.close();
        out.close();
        assertThat(target.bodies).isEmpty();
        assertThat(out.totalSha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
