package io.caravan.unpack;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An extraction that records {@link ExtractionCheckpoint}s at restart points and may be resumed from
 * one: for a stream of codec {@code zstd}, a restart point is an entry whose first header starts a
 * zstd frame (found by {@link ZstdFrameDecoder}, never taken from the sender's word); for {@code none},
 * every entry. Other codecs have none ({@link #supports}).
 *
 * @param codec       the stream's codec, {@code zstd} or {@code none}
 * @param from        the checkpoint the extraction resumes from; null to start at the stream's first byte
 * @param journal     the file of the extraction's {@link ExtractionJournal}
 * @param checkpoints which restart points to record, and how
 */
public record Resumption(String codec, ExtractionCheckpoint from, Path journal, Checkpoints checkpoints) {

    public Resumption {
        if (!supports(codec)) {
            throw new IllegalArgumentException("a " + codec + " stream has no restart points");
        }
    }

    /** Where checkpoints go; called on the extracting thread, which waits while it records one. */
    public interface Checkpoints {
        /** Whether to record a checkpoint at a restart point whose frame starts {@code compressed} bytes into the stream. */
        boolean wants(long compressed);

        /**
         * Records {@code checkpoint}, or holds it until the bytes after it are kept: a crash leaves it or one
         * before it (written whole, renamed).
         */
        void record(ExtractionCheckpoint checkpoint) throws IOException;

        /**
         * Told, once the extraction's stages run, how to ask whether every one of them waits for input: the
         * extraction has then done all it can with the bytes it was given, up to the last restart point in
         * them. {@code idle} may be asked from any thread.
         */
        default void idleWhen(java.util.function.BooleanSupplier idle) {
        }
    }

    /** Whether a stream of {@code codec} has restart points. */
    public static boolean supports(String codec) {
        return "zstd".equals(codec) || "none".equals(codec);
    }
}
