package io.caravan.unpack;

/**
 * What extraction accepts. By default symlinks must point inside the destination, and there is no
 * limit on entries or bytes; receivers set limits for untrusted senders.
 */
public record ExtractPolicy(boolean allowExternalSymlinks, long maxEntries, long maxBytes) {

    public static final ExtractPolicy DEFAULT = new ExtractPolicy(false, Long.MAX_VALUE, Long.MAX_VALUE);

    public ExtractPolicy withExternalSymlinks(boolean allow) {
        return new ExtractPolicy(allow, maxEntries, maxBytes);
    }

    public ExtractPolicy withLimits(long entries, long bytes) {
        return new ExtractPolicy(allowExternalSymlinks, entries, bytes);
    }
}
