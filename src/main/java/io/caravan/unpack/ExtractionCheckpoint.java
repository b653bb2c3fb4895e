package io.caravan.unpack;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * How far an extraction got, at a restart point: an entry's first header that lies where the
 * compressed stream can be decoded from with nothing before it (a zstd frame start, see
 * {@link ZstdFrameDecoder}; any header of an uncompressed tar). Every entry before it is extracted
 * and the extraction's state there is recorded: its counters, its longest and deepest path, the
 * length of its {@link ExtractionJournal}, and the {@link ExtractionBudget}'s counts. An extraction
 * resumed from it decodes from {@code compressed} and ends with the same tree and result as one that
 * ran through.
 *
 * @param compressed    where the restart point's frame starts in the compressed stream
 * @param decoded       where the entry's first header lies in the tar stream
 * @param entries       entries extracted before it
 * @param bytes         content bytes extracted before it
 * @param longestPath   the longest path extracted before it ("" for none)
 * @param deepestPath   the deepest path extracted before it ("" for none)
 * @param journalLength the journal's length there
 * @param content       content bytes counted against the budget (files materialised from stored content too)
 * @param written       bytes written, as the budget counts them against the expansion and the free-space floor
 */
public record ExtractionCheckpoint(long compressed, long decoded, long entries, long bytes, String longestPath,
                                   String deepestPath, long journalLength, long content, long written) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A checkpoint file is a few hundred bytes; a larger one is not one. */
    private static final long MAX_BYTES = 64 * 1024;

    /**
     * Writes the checkpoint as {@code file}, replacing the one there in one rename: a crash leaves the
     * old or the new one. Not forced to disk: it survives a crash of the process, as the extracted
     * files it speaks of do, not necessarily a power loss.
     */
    public void writeTo(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp); // itself, if a link was left there: never written through
        try (SeekableByteChannel out = Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer bytes = ByteBuffer.wrap(JSON.writeValueAsBytes(this));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The checkpoint in {@code file}, or null when there is none. */
    public static ExtractionCheckpoint readFrom(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " is not an extraction checkpoint"); // a pipe is never opened
        }
        byte[] bytes;
        // opened without following a link, read within a bound: what is planted there is refused, never waited on
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || in.size() > MAX_BYTES) {
                throw new IOException(file + " is not an extraction checkpoint");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) in.size());
            while (buffer.hasRemaining() && in.read(buffer) > 0) {
                // reads the whole file
            }
            bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }
        ExtractionCheckpoint checkpoint = JSON.readValue(bytes, ExtractionCheckpoint.class);
        if (checkpoint.compressed < 0 || checkpoint.decoded < 0 || checkpoint.journalLength < 0
                || checkpoint.longestPath == null || checkpoint.deepestPath == null) {
            throw new IOException(file + " holds an extraction checkpoint out of range");
        }
        return checkpoint;
    }
}
