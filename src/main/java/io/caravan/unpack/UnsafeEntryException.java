package io.caravan.unpack;

import io.caravan.CaravanException;
import io.caravan.fs.NameRules;

/** An archive entry Caravan refuses to extract: it would escape the destination or is a device. */
public class UnsafeEntryException extends CaravanException {

    private final String entry;

    public UnsafeEntryException(String entry, String reason) {
        this("refused entry '%s': %s; nothing was published", entry, reason);
    }

    /** For a subclass that words its own message: {@code format} takes the entry's name (shown printable), then the reason. */
    protected UnsafeEntryException(String format, String entry, String reason) {
        super(String.format(format, NameRules.printable(entry), reason));
        this.entry = entry;
    }

    /** The refused entry's name as it is in the archive (the message shows it with control characters escaped). */
    public String entry() {
        return entry;
    }

    @Override
    public java.util.Map<String, Object> details() {
        return java.util.Map.of("entry", entry);
    }

    @Override
    public int httpStatus() {
        return 422;
    }

    @Override
    public String code() {
        return "unsafe_entry";
    }
}
