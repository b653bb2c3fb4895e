package io.caravan.unpack;

/**
 * A compressed stream whose header asks its decoder for more memory (an xz dictionary, a zstd window)
 * than one decoder may hold: refused before that memory is taken. Answered 413 {@code decoder_limit};
 * final for the stream, as any limit: the same bytes ask for the same memory again.
 */
public class DecoderLimitException extends ExtractLimitException {

    public DecoderLimitException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "decoder_limit";
    }
}
