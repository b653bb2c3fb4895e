package io.caravan.unpack;

/**
 * An archive entry whose content is not what the archive says of it (its size, its checksum): refused
 * like an unsafe one (422, nothing is published), in its own words.
 */
public class DamagedEntryException extends UnsafeEntryException {

    public DamagedEntryException(String entry, String reason) {
        super("entry '%s' is damaged: %s; nothing was published", entry, reason);
    }

    @Override
    public String code() {
        return "damaged_entry";
    }
}
