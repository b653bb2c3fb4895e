package io.caravan.unpack;

import io.caravan.fs.Versions;

/**
 * How to unpack: verify parts against their manifest, what to do on a name conflict, what to accept,
 * where replaced entries go ({@link Versions#none()}: they are deleted, as {@code tar -x} does), and whether
 * an entry may take the place of one of another type (a folder by a file or the reverse: {@code force}).
 */
public record UnpackOptions(boolean verify, OnConflict onConflict, ExtractPolicy policy, Versions versions, boolean force) {

    public static final UnpackOptions DEFAULT = new UnpackOptions(true, OnConflict.MERGE, ExtractPolicy.DEFAULT);

    public UnpackOptions(boolean verify, OnConflict onConflict, ExtractPolicy policy) {
        this(verify, onConflict, policy, Versions.none());
    }

    public UnpackOptions(boolean verify, OnConflict onConflict, ExtractPolicy policy, Versions versions) {
        this(verify, onConflict, policy, versions, false);
    }

    /** What a refused change of type tells the user of {@code caravan unpack} to do. */
    static final String TYPE_CHANGE_ADVICE = "Unpack into another folder, or allow the change of type (--force; the"
            + " replaced entry is kept as a version)";

    /** How the unpacked entries are published ({@link Publisher.Policy}). */
    Publisher.Policy publishPolicy() {
        return new Publisher.Policy(onConflict, force, TYPE_CHANGE_ADVICE);
    }
}
