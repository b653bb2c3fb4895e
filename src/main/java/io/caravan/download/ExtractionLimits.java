package io.caravan.download;

import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.ExpansionLimitException;
import io.caravan.unpack.ExtractLimitException;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.progress.ProgressListeners;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * The bounds one download's extraction keeps, and what it says when a server's archive breaks them.
 * The archive may hold no more entries and content bytes than its manifest declares (the packer counts
 * both exactly, so there is no tolerance; a manifest without them leaves 10,000,000 entries), no more
 * content than the disk holds above the free-space floor, and no more than {@code maxExpansion} unpacked
 * bytes per compressed byte once {@link ExtractPolicy#DEFAULT_EXPANSION_GRACE} were unpacked (0: no
 * limit), the receiver's rule ({@code caravan.receiver.max-expansion}). The checks themselves are the
 * extraction's ({@link ExtractPolicy}); this class watches the entries, the bytes written and the compressed
 * bytes that pass, so a refusal names the parcel, what its manifest declared, what arrived and what to do.
 */
final class ExtractionLimits {

    /** Entries an archive may hold when its manifest does not say how many. */
    static final long UNDECLARED_MAX_ENTRIES = 10_000_000;

    private final String name;
    private final Long declaredEntries;
    private final Long declaredBytes;
    private final long room;
    private final long maxExpansion;
    private volatile BoundedInputStream compressed;
    private volatile long announcedBytes;
    private final AtomicLong writtenBytes = new AtomicLong();
    private volatile String lastEntry = "";

    /**
     * @param room         content bytes the disk takes above the free-space floor
     * @param maxExpansion unpacked bytes per compressed byte, 0 for no limit
     */
    ExtractionLimits(String name, Manifest manifest, long room, long maxExpansion) {
        this.name = name;
        this.declaredEntries = manifest.entries();
        this.declaredBytes = manifest.contentBytes();
        this.room = Math.max(0, room);
        this.maxExpansion = maxExpansion;
    }

    /** {@code base} with this download's limits. */
    ExtractPolicy policy(ExtractPolicy base) {
        long entries = declaredEntries != null ? Math.max(0, declaredEntries) : UNDECLARED_MAX_ENTRIES;
        return base.withLimits(entries, bytesLimit()).withMaxExpansion(maxExpansion, ExtractPolicy.DEFAULT_EXPANSION_GRACE);
    }

    private long bytesLimit() {
        return declaredBytes != null ? Math.min(room, Math.max(0, declaredBytes)) : room;
    }

    private boolean bytesLimitDeclared() {
        return declaredBytes != null && declaredBytes <= room;
    }

    /** The compressed stream, its bytes counted as the extraction reads them. */
    InputStream compressed(InputStream raw) throws IOException {
        BoundedInputStream counted = BoundedInputStream.builder().setInputStream(raw).setPropagateClose(false).get();
        compressed = counted;
        return counted;
    }

    /** {@code inner}, with the entries the archive announces (names and sizes) noted on the way. */
    ProgressListener listener(ProgressListener inner) {
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
     * totals, what arrived and what to do; the extraction's own when the free space was the bound.
     */
    ExtractLimitException explain(ExtractLimitException limit) {
        String declared = declared();
        if (limit instanceof ExpansionLimitException) {
            long sent = Math.max(1, compressed == null ? 0 : compressed.getCount());
            return new ExpansionLimitException("'" + name + "' was refused: its archive unpacks to more than " + maxExpansion
                    + " bytes per compressed byte (at least " + Math.max(writtenBytes.get(), multiply(sent, maxExpansion)) + " bytes from " + sent
                    + " compressed bytes, at entry '" + lastEntry + "'), the limit of --max-expansion; " + declared
                    + ". A decompression bomb, or a parcel of extremely compressible data; nothing was kept. If the parcel"
                    + " is expected, fetch it again with a larger limit (caravan get --max-expansion N, 0 for no limit)");
        }
        boolean bytes = announcedBytes > bytesLimit();
        if (bytes && bytesLimitDeclared()) {
            return new ExtractLimitException("'" + name + "' was refused: " + declared + ", but its archive holds "
                    + announcedBytes + " content bytes at entry '" + lastEntry + "'" + SERVER_LIES);
        }
        if (!bytes && declaredEntries != null) {
            return new ExtractLimitException("'" + name + "' was refused: " + declared + ", but its archive holds more than "
                    + declaredEntries + " entries (after entry '" + lastEntry + "')" + SERVER_LIES);
        }
        return limit;
    }

    private static final String SERVER_LIES = ": the server sends more than its manifest describes (a decompression bomb,"
            + " or a broken catalog); nothing was kept. Tell the receiver's operator; no option of get lets such a parcel in";

    private String declared() {
        if (declaredBytes == null && declaredEntries == null) {
            return "its manifest declares no content size or entry count";
        }
        return "its manifest declares " + (declaredBytes == null ? "no" : String.valueOf(declaredBytes)) + " content bytes in "
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
