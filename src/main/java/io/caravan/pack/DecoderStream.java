package io.caravan.pack;

import io.caravan.unpack.DecoderLimitException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/**
 * A library's decoder, whose failure for its memory limit is thrown as the {@link DecoderLimitException}
 * its codec words ({@code refusal} gives null for any other failure, which is thrown as it is).
 */
final class DecoderStream extends FilterInputStream {

    private final Function<IOException, DecoderLimitException> refusal;

    DecoderStream(InputStream decoder, Function<IOException, DecoderLimitException> refusal) {
        super(decoder);
        this.refusal = refusal;
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw refused(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            throw refused(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return in.skip(n);
        } catch (IOException e) {
            throw refused(e);
        }
    }

    private IOException refused(IOException e) {
        DecoderLimitException limit = refusal.apply(e);
        if (limit != null) {
            limit.initCause(e);
            throw limit;
        }
        return e;
    }
}
