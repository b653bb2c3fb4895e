package io.caravan.session;

import java.util.Locale;

/**
 * When the receiver forces what it received to stable storage ({@code caravan.receiver.durability}),
 * and the {@link Syncer} through which it does. With {@link Mode#CHUNK} every chunk (its file and its
 * name) is forced before it is acknowledged, so it survives a power loss; with {@link Mode#PUBLISH} a
 * chunk is written and renamed into place but left to the page cache, so it survives a crash of the
 * process and not necessarily of the machine (a store started after a reboot re-hashes such chunks,
 * see {@link SessionStore}). In both modes a parcel's staging is forced once before its publish, and
 * the publish's rename after it.
 */
public record Durability(Mode mode, Syncer syncer) {

    /** The two policies, by the property's values {@code publish} and {@code chunk}. */
    public enum Mode {
        /** Staging is forced once before the publish; chunks are not forced one by one. */
        PUBLISH,
        /** Every chunk is forced before its 201, as well as the staging before the publish. */
        CHUNK;

        /** The property's value. */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The default: {@code publish} on this machine's disks. */
    public static final Durability DEFAULT = new Durability(Mode.PUBLISH, Syncer.SYSTEM);

    /** The property's value ({@code publish} or {@code chunk}, any case) on this machine's disks. */
    public static Durability parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Mode mode : Mode.values()) {
            if (mode.value().equals(value)) {
                return new Durability(mode, Syncer.SYSTEM);
            }
        }
        throw new IllegalArgumentException("caravan.receiver.durability must be publish (each parcel forced to disk once,"
                + " before its publish) or chunk (each chunk forced to disk before it is acknowledged), not '" + text + "'");
    }

    /** Whether every chunk is forced to stable storage before it is acknowledged. */
    public boolean everyChunk() {
        return mode == Mode.CHUNK;
    }
}
