package io.caravan.unpack;

import io.caravan.CaravanException;
import io.caravan.fs.NameRules;
import java.util.Map;

/**
 * A parcel's data that is not a complete archive: it breaks off inside an entry (a chunk is missing
 * from its manifest, or the data was cut or damaged before it was sent), or it is no tar archive in a
 * supported codec at all. Nothing is published; answered 422 {@code damaged_stream} naming the
 * entry. The decoder's own words stay in the cause, for the log.
 */
public class DamagedStreamException extends CaravanException {

    private final String entry;

    /** The data broke off or could not be decoded in {@code entry} (null: before any entry). */
    public DamagedStreamException(String entry, Throwable cause) {
        this(null, entry, null, cause);
    }

    private DamagedStreamException(String sessionId, String entry, String place, Throwable cause) {
        super((sessionId == null ? "" : "session " + sessionId + ": ") + "the parcel's data is not a complete archive: "
                + (entry == null
                        ? "it ends or cannot be decoded before its first entry, or it is not a tar archive in a supported codec"
                        : "it ends or cannot be decoded in entry '" + NameRules.printable(entry) + "'")
                + (place == null
                        ? " (a chunk is missing from its manifest, or the data was cut or damaged before it was sent);"
                                + " nothing was published: send the parcel again"
                        : ", found while reading " + place + " (the damage is there or in a part before it);"
                                + " nothing was published: run unpack without --no-verify to learn which part is damaged,"
                                + " and copy it again"), cause);
        this.entry = entry;
    }

    /** Its own message, for a local archive file or standard input. */
    private DamagedStreamException(String message, String entry, Throwable cause) {
        super(message, cause);
        this.entry = entry;
    }

    /**
     * The same failure met in a local file or standard input ({@code shown}, as "the archive x.tar"), its message
     * saying what the input is not and what to do, with no parcel, chunk or sender in it.
     */
    public DamagedStreamException inLocalArchive(String shown) {
        return new DamagedStreamException(shown + " is not a complete archive Caravan reads: " + (entry == null
                ? "it ends or cannot be decoded before its first entry; it is not a tar archive (plain, zstd, gzip, bzip2,"
                        + " xz or lz4), a part set, nor a zip that starts as one (a zip with bytes before it, such as a"
                        + " self-extracting one, is read by unzip)"
                : "it ends or cannot be decoded in entry '" + NameRules.printable(entry) + "' (it was cut or damaged)")
                + "; nothing was published", entry, getCause());
    }

    /** The same failure, its message naming the session whose chunks it was read from. */
    public DamagedStreamException inSession(String sessionId) {
        return new DamagedStreamException(sessionId, entry, null, getCause());
    }

    /**
     * The same failure met in part files read without verification, its message naming {@code place}
     * (the part file and the byte in it the decoder had read up to) and how to find the damaged part.
     */
    public DamagedStreamException inUnverifiedParts(String place) {
        return new DamagedStreamException(null, entry, place, getCause());
    }

    /** The entry the data broke off in, or null. */
    public String entry() {
        return entry;
    }

    @Override
    public int httpStatus() {
        return 422;
    }

    @Override
    public String code() {
        return "damaged_stream";
    }

    @Override
    public Map<String, Object> details() {
        return entry == null ? Map.of() : Map.of("entry", entry);
    }
}
