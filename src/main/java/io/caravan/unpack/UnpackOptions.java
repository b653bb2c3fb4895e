package io.caravan.unpack;

import io.caravan.fs.Versions;

/**
 * How to unpack: verify parts against their manifest, what to do on a name conflict, what to accept,
 * and where replaced entries go ({@link Versions#none()}: they are deleted, as {@code tar -x} does).
 */
public record UnpackOptions(boolean verify, OnConflict onConflict, ExtractPolicy policy, Versions versions) {

    public static final UnpackOptions DEFAULT = new UnpackOptions(true, OnConflict.MERGE, ExtractPolicy.DEFAULT);

    public UnpackOptions(boolean verify, OnConflict onConflict, ExtractPolicy policy) {
        this(verify, onConflict, policy, Versions.none());
    }
}
