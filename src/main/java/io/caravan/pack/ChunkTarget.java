package io.caravan.pack;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a {@link ChunkingOutputStream} puts each chunk. For every index, {@link #open} is called
 * once, the chunk's bytes are written to the returned stream, the stream is closed, and then
 * {@link #completed} reports the chunk; a chunk is only visible to readers after that call.
 */
public interface ChunkTarget {

    /** Drops every chunk: for packing only to learn the manifest (or what was read). */
    ChunkTarget DISCARD = new ChunkTarget() {
        @Override
        public OutputStream open(int index) {
            return OutputStream.nullOutputStream();
        }

        @Override
        public void completed(ChunkInfo chunk) {
        }
    };

    OutputStream open(int index) throws IOException;

    void completed(ChunkInfo chunk) throws IOException;

    /** Called once after the last chunk, or with a failure if packing stopped. */
    default void finished(Throwable failure) throws IOException {
    }
}
