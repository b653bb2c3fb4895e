package io.caravan.pack;

/**
 * A reference entry stands for a file whose content the receiver already holds: a regular tar
 * entry of size 0 with these PAX keys naming the content. Other tar readers see an empty file.
 */
public final class ReferenceEntries {

    public static final String SHA256 = "CARAVAN.ref.sha256";
    public static final String SIZE = "CARAVAN.ref.size";

    private ReferenceEntries() {
    }
}
