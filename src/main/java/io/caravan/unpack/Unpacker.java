package io.caravan.unpack;

import io.caravan.CaravanException;
import io.caravan.StorageException;
import io.caravan.pack.Codecs;
import io.caravan.pack.ZipEntryBound;
import io.caravan.progress.ProgressListener;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Unpacks a part set or a single archive (any supported codec, detected from its first bytes) into
 * a destination: extraction goes into a {@link Staging} folder and is published only when the
 * whole stream was read and verified. On any failure nothing is published and the staging folder
 * is removed.
 */
public final class Unpacker {

    private static final int BLOCK = 256 * 1024;

    private final UnpackOptions options;
    private final ProgressListener listener;
    private final ExtractHooks hooks;
    private final ExtractionLimits.Wording wording;

    public Unpacker(UnpackOptions options, ProgressListener listener) {
        this(options, listener, ExtractHooks.NONE);
    }

    public Unpacker(UnpackOptions options, ProgressListener listener, ExtractHooks hooks) {
        this(options, listener, hooks, ExtractionLimits.Wording.UNPACK);
    }

    /** With {@code wording}: how a part set or archive refused for its limits is told to whoever unpacks it. */
    public Unpacker(UnpackOptions options, ProgressListener listener, ExtractHooks hooks, ExtractionLimits.Wording wording) {
        this.options = options;
        this.listener = listener;
        this.hooks = hooks;
        this.wording = wording;
    }

    /**
     * Unpacks {@code <prefix>.partNNNN} checked against {@code <prefix>.manifest.json}. When verifying, the
     * stream may unpack to no more entries and content bytes than the manifest declares ({@link ExtractionLimits}).
     */
    public UnpackResult unpackParts(Path prefix, Path destination) throws IOException {
        PartSet set = PartSet.open(prefix, options.verify());
        listener.started("unpack", set.totalSize(), -1);
        ExtractionLimits limits = new ExtractionLimits(set.shown(), options.verify() ? set.manifest() : null, options.policy(),
                wording);
        try (VerifyingPartsInputStream parts = set.openStream(options.verify(), listener)) {
            return unpack(parts, destination, parts, limits);
        }
    }

    /** Unpacks a single archive: {@code .tar}, {@code .tar.zst}, {@code .tar.gz}, …, or standard input. */
    public UnpackResult unpackArchive(InputStream archive, Path destination) throws IOException {
        return unpackArchive(archive, "the archive", destination);
    }

    /** Like {@link #unpackArchive(InputStream, Path)}, the archive named {@code shown} when it is refused for its limits. */
    public UnpackResult unpackArchive(InputStream archive, String shown, Path destination) throws IOException {
        return unpack(archive, destination, null, new ExtractionLimits(shown, null, options.policy(), wording));
    }

    /**
     * Unpacks a zip file (read through its central directory) with the rules of a tar archive. Its central
     * directory is read whole first, a record of every entry in memory: a zip whose end record declares more
     * entries than the {@link ZipEntryBound} of half the heap, or a central directory larger than a quarter
     * of it, is refused before it is read, and running out of memory while it is read is reported as such.
     */
    public UnpackResult unpackZip(Path zip, Path destination) throws IOException {
        ZipEntryBound bound = ZipEntryBound.ofHeapShare(ZIP_HEAP_SHARE);
        ZipEndRecord end = requireReadable(zip, bound);
        long declared = end == null ? -1 : end.entries();
        boolean ok = false;
        ExtractionLimits limits = new ExtractionLimits("the zip " + zip, null, options.policy(), wording);
        limits.compressedWhole(java.nio.file.Files.size(zip));
        try (ZipFile file = requireDeclaredEntries(zip, open(zip), end); Staging staging = Staging.create(destination)) {
            SafeExtractor.Result result = extractZip(limits, file, staging.dir());
            List<Path> published = staging.publish(options.versions(), options.publishPolicy());
            ok = true;
            return new UnpackResult(published, result.entries(), result.bytes());
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new CaravanException("cannot unpack " + zip + ": " + e.getMessage() + " (the zip is damaged or truncated)", e);
        } catch (OutOfMemoryError e) {
            throw new CaravanException("cannot unpack " + zip + ": ran out of memory reading its central directory ("
                    + (declared >= 0 ? declared + " entries by its end record" : "no end record") + ") in a heap of " + ZipEntryBound.heapMib() + " MiB: give Caravan"
                    + " a larger heap (JAVA_OPTS=" + ZipEntryBound.heapFor(Math.max(declared, java.nio.file.Files.size(zip)
                    / ZIP_BYTES_PER_HEADER), ZIP_HEAP_SHARE) + "); nothing was published");
        } finally {
            listener.finished(ok);
        }
    }

    /**
     * Extracts {@code zip} within {@code limits} and the policy's {@link ExtractionBudget}, the zip file's
     * size counted as the compressed bytes: entries whose central directory records share one stored
     * body are written, and counted, as often as they are listed.
     */
    private SafeExtractor.Result extractZip(ExtractionLimits limits, ZipFile zip, Path root) throws IOException {
        ExtractPolicy policy = limits.policy();
        ExtractionBudget budget = new ExtractionBudget(policy, root);
        budget.compressedWhole(limits.compressedBytes());
        try {
            return new SafeExtractor(policy, budget.listener(limits.listener(listener)), budget.hooks(hooks)).extractZip(zip, root);
        } catch (ExtractLimitException e) {
            throw limits.explain(e);
        }
    }

    /** A zip's central directory, read whole before its first entry, takes at most half the heap. */
    private static final int ZIP_HEAP_SHARE = 2;
    /** The fewest bytes an entry takes in a zip, its central directory header and local header with one-byte names. */
    private static final long ZIP_BYTES_PER_HEADER = 78;

    /**
     * {@code file}, once its central directory is found to hold the entries its end record declares
     * ({@code declared}, -1: no end record), counted modulo 65536 as writers without Zip64 records do;
     * a zip that says otherwise is damaged or truncated, and is refused (closed) before anything is written.
     */
    private static ZipFile requireDeclaredEntries(Path zip, ZipFile file, ZipEndRecord end) throws IOException {
        long found = 0;
        for (java.util.Enumeration<?> entries = file.getEntries(); entries.hasMoreElements(); entries.nextElement()) {
            found++;
        }
        long declared = end == null ? -1 : end.entries();
        // a Zip64 count is exact; a classic one is the count's low 16 bits (0xFFFF stands for "see the Zip64 record"
        // only when there is one: end.zip64() then, and its count is the one compared)
        boolean differ = end != null && (end.zip64() ? found != declared : (found & 0xffff) != (declared & 0xffff));
        if (differ) {
            file.close();
            throw new CaravanException("cannot unpack " + zip + ": its end record declares " + declared + " entries, its central"
                    + " directory holds " + found + " (the zip is damaged or truncated); nothing was written");
        }
        return file;
    }

    /**
     * What {@code zip}'s end record declares (null if it has none); too many entries for {@code bound}, or a central
     * directory larger than the record declares (counted header by header before a zip reader reads it whole), are refused.
     */
    private static ZipEndRecord requireReadable(Path zip, ZipEntryBound bound) throws IOException {
        Optional<ZipEndRecord> end;
        try {
            end = ZipEndRecord.read(zip);
        } catch (java.util.zip.ZipException e) {
            throw damaged(zip, e.getMessage());
        }
        if (end.isEmpty()) {
            return null; // not a zip, or a damaged one: opening it says which
        }
        Optional<String> placement = end.get().placementProblem();
        if (placement.isPresent()) {
            throw damaged(zip, placement.get());
        }
        long entries = end.get().entries();
        long heap = Runtime.getRuntime().maxMemory();
        if (bound.exceededBy(entries) || end.get().directoryBytes() > heap / (2L * ZIP_HEAP_SHARE)) {
            long needed = Math.max(entries, end.get().directoryBytes() / 47);
            throw new CaravanException("cannot unpack " + zip + ": it holds " + entries + " entries in a central directory of "
                    + (end.get().directoryBytes() >> 20) + " MiB (so says its end record), more than a zip is read with in a heap of "
                    + ZipEntryBound.heapMib() + " MiB (at most " + bound.maxEntries() + " entries; the central directory is read"
                    + " whole before the first entry): give Caravan a larger heap (JAVA_OPTS="
                    + ZipEntryBound.heapFor(needed, ZIP_HEAP_SHARE) + ") or unpack it with unzip; nothing was written");
        }
        Optional<String> problem = end.get().directoryProblem(zip, bound.maxEntries());
        if (problem.isPresent()) {
            throw new CaravanException("cannot unpack " + zip + ": " + problem.get() + " (the zip is damaged, or made to be"
                    + " read into the heap whole); nothing was written");
        }
        return end.get();
    }

    private static ZipFile open(Path zip) throws IOException {
        try {
            return ZipFile.builder().setPath(zip).setCharset(java.nio.charset.StandardCharsets.UTF_8).get();
        } catch (java.nio.file.FileSystemException e) {
            throw e; // the file could not be read (its name says which): not the zip's fault
        } catch (IOException e) {
            // Commons Compress says little more than "Error reading Zip content from <file>" for most damage
            throw new CaravanException("cannot unpack " + zip + ": it is not a zip that can be read (" + e.getMessage()
                    + "): the zip is damaged or truncated; `unzip -t` on it may say more; nothing was written", e);
        }
    }

    /** The refusal of a zip found damaged before it is read, for {@code problem}. */
    private static CaravanException damaged(Path zip, String problem) {
        return new CaravanException("cannot unpack " + zip + ": " + problem + ": the zip is damaged or truncated; nothing was written");
    }

    /** Whether {@code file} starts like a zip (a local file header, or the end record of an empty zip). */
    public static boolean looksLikeZip(Path file) throws IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K'
                    && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
        }
    }

    private UnpackResult unpack(InputStream raw, Path destination, VerifyingPartsInputStream verifier, ExtractionLimits limits)
            throws IOException {
        boolean ok = false;
        try (Staging staging = Staging.create(destination)) {
            SafeExtractor.Result result = extractWithin(limits, raw, staging.dir(), verifier);
            List<Path> published = staging.publish(options.versions(), options.publishPolicy());
            ok = true;
            return new UnpackResult(published, result.entries(), result.bytes());
        } finally {
            listener.finished(ok);
        }
    }

    /**
     * Decompresses and extracts {@code raw} into {@code root}, reading it to the end so codec
     * checksums and part hashes are all checked, within the policy's {@link ExtractionBudget}. A
     * failure caused by a bad part is reported as that part; one caused by the storage (no space, an
     * I/O error) as a {@link StorageException}, never as damaged data.
     */
    public SafeExtractor.Result extractInto(InputStream raw, Path root, VerifyingPartsInputStream verifier) throws IOException {
        return extract(raw, root, verifier, options.policy(), listener, null);
    }

    /**
     * As {@link #extractInto(InputStream, Path, VerifyingPartsInputStream)}, recording checkpoints at
     * restart points as {@code resumption} says, from its checkpoint on: {@code raw} then holds the
     * stream from that checkpoint's compressed offset, and {@code root} what the extraction had written
     * up to the failure or crash after it.
     */
    public SafeExtractor.Result extractResumable(InputStream raw, Path root, Resumption resumption) throws IOException {
        return extract(raw, root, null, options.policy(), listener, resumption);
    }

    /**
     * Like {@link #extractInto}, within {@code limits} (whose policy is used instead of the options'): an
     * archive that breaks them is refused as {@link ExtractionLimits#explain} tells it.
     */
    public SafeExtractor.Result extractWithin(ExtractionLimits limits, InputStream raw, Path root,
                                              VerifyingPartsInputStream verifier) throws IOException {
        try {
            return extract(limits.compressed(raw), root, verifier, limits.policy(), limits.listener(listener), null);
        } catch (ExtractLimitException e) {
            throw limits.explain(e);
        }
    }

    private SafeExtractor.Result extract(InputStream raw, Path root, VerifyingPartsInputStream verifier, ExtractPolicy policy,
                                         ProgressListener listener, Resumption resumption) throws IOException {
        ExtractionBudget budget = new ExtractionBudget(policy, root);
        ExtractionCheckpoint from = resumption == null ? null : resumption.from();
        if (from != null) {
            budget.resumeAt(from);
        }
        // three stages at once, like cat | zstd -d | tar -x: read + verify, decompress, extract (this thread)
        PrefetchInputStream read = new PrefetchInputStream(budget.compressed(raw), 4, BLOCK, "caravan-read");
        // how far into the stream the decoder had read when it failed: the part to name when the parts are not verified
        long[] decoded = new long[1];
        InputStream counted = new java.io.FilterInputStream(read) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                decoded[0] += b < 0 ? 0 : 1;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                decoded[0] += Math.max(n, 0);
                return n;
            }
        };
        PrefetchInputStream inflated = null;
        InputStream decompressor = null;
        try {
            // the decompressor is closed at the end (zstd-jni holds native memory until then), the caller's stream is not
            BufferedInputStream buffered = new BufferedInputStream(counted, 64 * 1024) {
                @Override
                public void close() {
                }
            };
            buffered.mark(1);
            if (buffered.read() < 0) {
                throw new CaravanException("the input is empty: there is no archive to unpack");
            }
            buffered.reset();
            ZstdFrameDecoder frames = null;
            if (resumption == null) {
                decompressor = Codecs.autoDecompress(buffered, policy.decoderMemory());
            } else if (resumption.codec().equals("zstd")) {
                decompressor = frames = new ZstdFrameDecoder(buffered, from == null ? 0 : from.compressed(),
                        from == null ? 0 : from.decoded(), policy.decoderMemory());
            } else {
                decompressor = buffered;
            }
            // an uncompressed tar needs no stage of its own: extraction reads the read stage directly
            inflated = decompressor == buffered ? null : new PrefetchInputStream(decompressor, 4, BLOCK, "caravan-decompress");
            InputStream tar = budget.inflated(inflated != null ? inflated : buffered);
            if (resumption != null) {
                PrefetchInputStream inflatedStage = inflated;
                resumption.checkpoints().idleWhen(() -> read.waitsForInput() && (inflatedStage == null || inflatedStage.waitsForInput()));
            }
            SafeExtractor.Resume resume = resumption == null ? SafeExtractor.Resume.NONE
                    : new SafeExtractor.Resume(from, resumption.journal(), checkpointing(resumption, frames, budget));
            SafeExtractor.Result result = new SafeExtractor(policy, budget.listener(listener), budget.hooks(hooks))
                    .extract(tar, root, resume);
            tar.transferTo(OutputStream.nullOutputStream());
            stop(inflated, read);
            if (verifier != null) {
                verifier.drain();
            }
            return result;
        } catch (ChunkVerificationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (raw instanceof WaitingSource waiting) {
                waiting.abandon(); // the read stage may be waiting for data that will never be read now
            }
            stop(inflated, read);
            if (read.failure() instanceof ChunkVerificationException damaged) {
                throw damaged; // a damaged part found by the read stage explains any later failure
            }
            if (verifier != null) {
                verifier.drain();
            }
            if (e instanceof CaravanException && !(e instanceof StorageException) && !(e instanceof DamagedStreamException)) {
                throw e;
            }
            Optional<StorageException> storage = StorageException.of(e);
            if (storage.isPresent()) {
                throw storage.get();
            }
            DamagedStreamException damaged = e instanceof DamagedStreamException d ? d : new DamagedStreamException(null, e);
            if (verifier != null && !verifier.verifies()) {
                throw damaged.inUnverifiedParts(verifier.place(Math.max(0, decoded[0] - 1)));
            }
            throw damaged;
        } finally {
            stop(inflated, read);
            if (decompressor != null) {
                decompressor.close();
            }
        }
    }

    /**
     * Records a checkpoint at an entry whose headers start a frame ({@code frames}; with no frames, an
     * uncompressed stream, at any entry) when {@code resumption} wants one there.
     */
    private static SafeExtractor.EntryStarts checkpointing(Resumption resumption, ZstdFrameDecoder frames,
                                                          ExtractionBudget budget) {
        return (at, state) -> {
            long compressed = at;
            if (frames != null) {
                ZstdFrameDecoder.FrameStart start = frames.frameStartingAt(at);
                if (start == null) {
                    return;
                }
                compressed = start.compressed();
            }
            if (resumption.checkpoints().wants(compressed)) {
                SafeExtractor.Snapshot snapshot = state.take();
                resumption.checkpoints().record(new ExtractionCheckpoint(compressed, at, snapshot.entries(),
                        snapshot.bytes(), snapshot.longestPath(), snapshot.deepestPath(), snapshot.journalLength(),
                        budget.content(), budget.written()));
            }
        };
    }

    private static void stop(PrefetchInputStream... stages) throws IOException {
        for (PrefetchInputStream stage : stages) {
            if (stage != null) {
                stage.stop();
            }
        }
    }
}
