package io.caravan.unpack;

import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.progress.ProgressListeners;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * The bounds one extraction of a parcel keeps, and what it says when an archive breaks them: the one
 * implementation behind {@code caravan get}, {@code caravan unpack} and the receiver's part-set pickup.
 * The archive may hold no more entries and content bytes than its manifest declares (the packer counts
 * both exactly, so there is no tolerance; a manifest without them, or no manifest, leaves the base
 * policy's limits), no more than the base policy's own limits, and no more than the base policy's
 * {@link ExtractPolicy#maxExpansion()} unpacked bytes per compressed byte once
 * {@link ExtractPolicy#expansionGrace()} were unpacked (0: no limit). The checks themselves are the
 * extraction's ({@link ExtractPolicy}, {@link ExtractionBudget}); this class watches the entries, the
 * bytes written and the compressed bytes that pass, so a refusal names the parcel, what its manifest
 * declared, what arrived and, in the {@link Wording} of the reader, what to do.
 */
public final class ExtractionLimits {

    /**
     * How a refusal ends for one reader: what was left behind ({@code leftBehind}), why a stream that
     * unpacks to more than its manifest declares is refused and what to do ({@code beyondManifest}), the
     * setting that bounds the expansion ({@code expansionLimit}) and what to do about a refused one
     * ({@code expansionRemedy}).
     */
    public record Wording(String leftBehind, String beyondManifest, String expansionLimit, String expansionRemedy) {

        /** {@code caravan unpack}: a part set or an archive on this machine. */
        public static final Wording UNPACK = new Wording("nothing was published",
                "the parts hold more than their manifest describes, though they match its hashes: the manifest was not"
                        + " written for them by caravan pack, or was altered with them (a decompression bomb); nothing was"
                        + " published. Have the sender pack the parcel again with caravan pack and copy its parts and"
                        + " manifest; no option of unpack lets such parts in",
                "--max-expansion",
                "If the parcel is expected, unpack it again with a larger limit (caravan unpack --max-expansion N,"
                        + " 0 for no limit)");
    }

    private final String subject;
    private final boolean manifest;
    private final Long declaredEntries;
    private final Long declaredBytes;
    private final ExtractPolicy base;
    private final Wording wording;
    private volatile java.util.function.LongSupplier compressed = () -> 0;
    private volatile long announcedBytes;
    private final AtomicLong writtenBytes = new AtomicLong();
    private volatile String lastEntry = "";

    /**
     * @param subject  the parcel as a refusal names it ({@code 'name'}, {@code the part set ...})
     * @param manifest its manifest, or null when there is none (a plain archive)
     * @param base     the extraction's policy without the manifest's bounds
     */
    public ExtractionLimits(String subject, Manifest manifest, ExtractPolicy base, Wording wording) {
        this.subject = subject;
        this.manifest = manifest != null;
        this.declaredEntries = manifest == null ? null : manifest.entries();
        this.declaredBytes = manifest == null ? null : manifest.contentBytes();
        this.base = base;
        this.wording = wording;
    }

    /** The base policy, bounded by what the manifest declares. */
    public ExtractPolicy policy() {
        return base.withLimits(entriesLimit(), bytesLimit());
    }

    private long entriesLimit() {
        return declaredEntries != null ? Math.min(base.maxEntries(), Math.max(0, declaredEntries)) : base.maxEntries();
    }

    private long bytesLimit() {
        return declaredBytes != null ? Math.min(base.maxBytes(), Math.max(0, declaredBytes)) : base.maxBytes();
    }

    /** The compressed stream, its bytes counted as the extraction reads them. */
    public InputStream compressed(InputStream raw) throws IOException {
        BoundedInputStream counted = BoundedInputStream.builder().setInputStream(raw).setPropagateClose(false).get();
        compressed = counted::getCount;
        return counted;
    }

    /** The compressed bytes counted so far. */
    long compressedBytes() {
        return compressed.getAsLong();
    }

    /** Counts a whole archive file of {@code bytes} as the compressed bytes (a zip, read through its central directory). */
    public void compressedWhole(long bytes) {
        compressed = () -> bytes;
    }

    /** {@code inner}, with the entries the archive announces (names and sizes) noted on the way. */
    public ProgressListener listener(ProgressListener inner) {
        return ProgressListeners.of(new ProgressListener() {
            @Override
            public void entry(String path, long size) {
                lastEntry = path;
                announcedBytes += Math.max(0, size);
            }

            @Override
            public void bytes(long bytes) {
                writtenBytes.addAndGet(bytes);
            }
        }, inner);
    }

    /**
     * The refusal to report for the extraction's {@code limit}: one that names the parcel, the manifest's
     * totals, what arrived and what to do; the extraction's own when a bound of the base policy was reached.
     */
    public ExtractLimitException explain(ExtractLimitException limit) {
        if (limit instanceof DecoderLimitException) {
            return limit; // the stream's header, not its content: nothing more to tell
        }
        if (limit instanceof ExpansionLimitException) {
            long ratio = base.maxExpansion();
            long sent = Math.max(1, compressed.getAsLong());
            return new ExpansionLimitException(subject + " was refused: its archive unpacks to more than " + ratio
                    + " bytes per compressed byte (at least " + Math.max(writtenBytes.get(), multiply(sent, ratio)) + " bytes from "
                    + sent + " compressed bytes, at entry '" + lastEntry + "'), the limit of " + wording.expansionLimit()
                    + declared("; ") + ". A decompression bomb, or a parcel of extremely compressible data; "
                    + wording.leftBehind() + ". " + wording.expansionRemedy());
        }
        boolean bytes = announcedBytes > bytesLimit();
        if (bytes && declaredBytes != null && declaredBytes <= base.maxBytes()) {
            return new ExtractLimitException(subject + " was refused: " + declared("") + ", but its archive holds "
                    + announcedBytes + " content bytes at entry '" + lastEntry + "': " + wording.beyondManifest());
        }
        if (!bytes && declaredEntries != null && declaredEntries <= base.maxEntries()) {
            return new ExtractLimitException(subject + " was refused: " + declared("") + ", but its archive holds more than "
                    + declaredEntries + " entries (after entry '" + lastEntry + "'): " + wording.beyondManifest());
        }
        return limit;
    }

    /** What the manifest declares after {@code lead}; nothing when there is no manifest. */
    private String declared(String lead) {
        if (!manifest) {
            return "";
        }
        if (declaredBytes == null && declaredEntries == null) {
            return lead + "its manifest declares no content size or entry count";
        }
        return lead + "its manifest declares " + (declaredBytes == null ? "no" : String.valueOf(declaredBytes)) + " content bytes in "
                + (declaredEntries == null ? "an undeclared number of" : String.valueOf(declaredEntries)) + " entries";
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
