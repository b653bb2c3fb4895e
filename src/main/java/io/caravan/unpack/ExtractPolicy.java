package io.caravan.unpack;

/**
 * What extraction accepts, and how it writes. By default symlinks must point inside the destination,
 * and there is no limit on entries or bytes; receivers set limits for untrusted senders. With
 * {@code directIo}, large files are written around the page cache where the file system allows
 * ({@link FileContentWriter}).
 */
public record ExtractPolicy(boolean allowExternalSymlinks, long maxEntries, long maxBytes, boolean directIo) {

    public static final ExtractPolicy DEFAULT = new ExtractPolicy(false, Long.MAX_VALUE, Long.MAX_VALUE, true);

    public ExtractPolicy withExternalSymlinks(boolean allow) {
        return new ExtractPolicy(allow, maxEntries, maxBytes, directIo);
    }

    public ExtractPolicy withLimits(long entries, long bytes) {
        return new ExtractPolicy(allowExternalSymlinks, entries, bytes, directIo);
    }

    public ExtractPolicy withDirectIo(boolean direct) {
        return new ExtractPolicy(allowExternalSymlinks, maxEntries, maxBytes, direct);
    }
}
