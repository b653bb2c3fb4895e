package io.caravan.unpack;

/** How to unpack: verify parts against their manifest, what to do on a name conflict, what to accept. */
public record UnpackOptions(boolean verify, OnConflict onConflict, ExtractPolicy policy) {

    public static final UnpackOptions DEFAULT = new UnpackOptions(true, OnConflict.REPLACE, ExtractPolicy.DEFAULT);
}
