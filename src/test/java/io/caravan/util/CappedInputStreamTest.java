package io.caravan.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/**
 * A capped stream reads a stream up to its cap, and throws the exception its owner makes for a byte
 * beyond it (an IOException, or an unchecked one such as a refused answer), having asked the stream
 * below for no more than one byte past the cap.
 */
class CappedInputStreamTest {

    @Test
    void aStreamOfExactlyTheCapIsReadWhole() throws IOException {
        byte[] data = "0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        try (InputStream in = new CappedInputStream(new ByteArrayInputStream(data), 10, () -> new IOException("too long"))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void aByteBeyondTheCapThrowsTheOwnersUncheckedException() {
        IllegalStateException refused = new IllegalStateException("the answer is longer than 9 bytes");
        InputStream in = new CappedInputStream(new ByteArrayInputStream(new byte[10]), 9, () -> refused);

        assertThatThrownBy(in::readAllBytes).isSameAs(refused);
    }

    @Test
    void aByteBeyondTheCapThrowsTheOwnersIOException() throws IOException {
        InputStream in = new CappedInputStream(new ByteArrayInputStream(new byte[10]), 9, () -> new IOException("too long"));

        assertThat(in.read()).isZero();
        assertThatThrownBy(() -> in.transferTo(OutputStream.nullOutputStream())).isInstanceOf(IOException.class)
                .hasMessage("too long");
    }

    @Test
    void anEndlessStreamIsReadNoFurtherThanOneBytePastTheCap() {
        long[] given = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                given[0]++;
                return 'a';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'a');
                given[0] += len;
                return len;
            }
        };
        InputStream in = new CappedInputStream(endless, 100_000, () -> new IOException("too long"));

        assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessage("too long");
        assertThat(given[0]).isEqualTo(100_001);
    }
}
