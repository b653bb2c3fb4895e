package io.caravan.download;

import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.unpack.ChunkVerificationException;
import io.caravan.unpack.PosixModes;
import io.caravan.util.AlignedBuffers;
import io.caravan.util.DirectFileInputStream;
import io.caravan.util.PositionedDirectWriter;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A file parcel served as its own bytes ({@link Manifest#file()}), assembled where it will stay: each
 * chunk is fetched straight to its position ({@code index × chunk_size}) in {@code <state>/data},
 * verified as it streams, and recorded in {@code <state>/chunks.log} once whole. A rerun keeps every
 * recorded chunk whose bytes still hash to the manifest's SHA-256 for its index and fetches the rest,
 * so a kill -9 or a power loss costs only what was not yet verified on disk. Nothing here ever writes
 * outside {@code data}, whatever the manifest says: its layout is checked first.
 */
final class RawAssembly implements AutoCloseable {

    /** Chunks larger than this are refused: a download holds one buffer per chunk being fetched, never a chunk. */
    static final long MAX_CHUNK_SIZE = 1L << 30;

    private final Path dir;
    private final Manifest manifest;
    private final FileChannel data;
    /** Chunks are written around the page cache, one aligned buffer per fetch, and read back the same way. */
    private final AlignedBuffers writeBuffers;
    private final AlignedBuffers readBuffers = new AlignedBuffers(2);

    private RawAssembly(Path dir, Manifest manifest, FileChannel data, int parallel) {
        this.dir = dir;
        this.manifest = manifest;
        this.data = data;
        this.writeBuffers = new AlignedBuffers(parallel);
    }

    /** Checks the manifest's layout and opens (or creates) the data file in {@code stateDir}. */
    static RawAssembly open(Path stateDir, Manifest manifest, String parcel, int parallel) throws IOException {
        checkLayout(manifest, parcel);
        Path file = stateDir.resolve("data");
        FileChannel data;
        try {
            data = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (java.io.IOException e) { // ELOOP, a plain IOException that names no file
            if (Files.isSymbolicLink(file) || Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new java.io.IOException("'" + file + "' is " + (Files.isSymbolicLink(file) ? "a symbolic link" : "not a file")
                        + ", which Caravan never makes there, so it is not written through: remove the state folder '"
                        + stateDir + "' and run the command again (the download starts over)", e);
            }
            throw e;
        }
        return new RawAssembly(stateDir, manifest, data, parallel);
    }

    /** Where chunk {@code index}'s bytes are written, as they arrive; close it to write the last of them. */
    PositionedDirectWriter writer(int index) {
        return new PositionedDirectWriter(dir.resolve("data"), data, position(index), writeBuffers);
    }

    /** Every chunk but the last exactly {@code chunk_size}, the last at most that, in index order: else refused. */
    static void checkLayout(Manifest manifest, String parcel) {
        long chunkSize = manifest.chunkSize();
        List<ChunkInfo> chunks = manifest.chunks();
        String problem = chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE ? "chunk_size " + chunkSize + " is not between 1 and "
                + MAX_CHUNK_SIZE : chunks.isEmpty() ? "it lists no chunks" : null;
        for (int i = 0; problem == null && i < chunks.size(); i++) {
            long size = chunks.get(i).size();
            boolean last = i == chunks.size() - 1;
            if (last ? size < 1 || size > chunkSize : size != chunkSize) {
                problem = "chunk " + i + " is " + size + " bytes in a file cut into chunks of " + chunkSize;
            }
        }
        if (problem != null) {
            throw new ChunkVerificationException("the manifest of '" + parcel + "' does not describe one file cut into chunks: "
                    + problem + "; the server is broken or hostile, nothing was written");
        }
    }

    FileChannel data() {
        return data;
    }

    /** Where chunk {@code index} starts in the data file. */
    long position(int index) {
        return index * manifest.chunkSize();
    }

    /** The chunks recorded by an earlier run whose bytes still hash to this manifest's SHA-256 for their index. */
    Set<Integer> present() throws IOException {
        Set<Integer> present = new HashSet<>();
        Path log = dir.resolve("chunks.log");
        if (!Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
            return present;
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        for (String line : Files.readAllLines(log, StandardCharsets.US_ASCII)) {
            String[] parts = line.split(" ");
            if (parts.length != 2 || !parts[0].matches("\\d{1,9}")) {
                continue; // a line cut short by a crash
            }
            int index = Integer.parseInt(parts[0]);
            if (index < manifest.chunks().size() && !present.contains(index)
                    && manifest.chunks().get(index).checksum().equals(parts[1]) && holds(index, buffer)) {
                present.add(index);
            }
        }
        return present;
    }

    private boolean holds(int index, ByteBuffer buffer) throws IOException {
        ChunkInfo chunk = manifest.chunks().get(index);
        return chunk.checksum().equals(hash(position(index), chunk.size(), buffer));
    }

    /** Records chunk {@code index} as fetched and verified at its position. */
    synchronized void fetched(int index) throws IOException {
        Files.writeString(dir.resolve("chunks.log"), index + " " + manifest.chunks().get(index).checksum() + "\n",
                StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The SHA-256 of {@code length} bytes of the data file from {@code from} ("" when the file ends first). */
    String hash(long from, long length, ByteBuffer buffer) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        return digest(digest, from, length, buffer) ? Sha256.hex(digest) : "";
    }

    /** Adds {@code length} bytes of the data file from {@code from} to {@code digest}; false when the file ends first. */
    boolean digest(MessageDigest digest, long from, long length, ByteBuffer buffer) throws IOException {
        long read = 0;
        try (InputStream in = DirectFileInputStream.open(dir.resolve("data"), from, length, readBuffers)) {
            byte[] bytes = buffer.array();
            for (int n; read < length && (n = in.read(bytes, 0, (int) Math.min(bytes.length, length - read))) > 0; ) {
                digest.update(bytes, 0, n);
                read += n;
            }
        }
        return read == length;
    }

    /** Cuts the file to the parcel's size, gives it the manifest's mode and time, forces it; the file. */
    Path finish() throws IOException {
        data.truncate(manifest.totalSize());
        data.force(true);
        Path file = dir.resolve("data");
        Files.setPosixFilePermissions(file, PosixModes.toPermissions(manifest.file().mode() & 0777));
        io.caravan.fs.FileTimes.setModified(file, FileTime.from(Instant.parse(manifest.file().mtime())));
        return file;
    }

    @Override
    public void close() throws IOException {
        data.close();
    }
}
