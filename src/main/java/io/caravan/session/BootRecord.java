package io.caravan.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * In which boot of the machine a store last ran and whether it forced its chunks to disk
 * ({@code <root>/sessions.boot}, two lines {@code boot_id <id>} and {@code durability <mode>}, written
 * durably when a store starts). Chunks stored with {@code publish} in a boot that has ended since (a
 * power loss, a reset, a reboot) may be torn: a store that finds such a record re-hashes them.
 */
record BootRecord(String bootId, Durability.Mode mode) {

    static final String FILE = "sessions.boot";

    /** The record a store left under {@code root}; null if none did (a new store, or one that forced every chunk). */
    static BootRecord read(Path root) throws IOException {
        String text;
        try {
            text = Files.readString(root.resolve(FILE));
        } catch (NoSuchFileException e) {
            return null;
        }
        String bootId = null;
        Durability.Mode mode = Durability.Mode.PUBLISH; // a record that cannot be read says nothing: assume the worst
        for (String line : text.split("\n")) {
            String[] field = line.trim().split("\\s+", 2);
            if (field.length == 2 && field[0].equals("boot_id")) {
                bootId = field[1];
            } else if (field.length == 2 && field[0].equals("durability") && field[1].equals("chunk")) {
                mode = Durability.Mode.CHUNK;
            }
        }
        return new BootRecord(bootId, mode);
    }

    /** Writes this record under {@code root}, durably. */
    void write(Path root, Syncer syncer) throws IOException {
        DurableFiles.writeString(root.resolve(FILE), "boot_id " + (bootId == null ? "unknown" : bootId) + "\n"
                + "durability " + mode.name().toLowerCase(Locale.ROOT) + "\n", syncer);
    }

    /**
     * Whether chunks stored under this record may have been torn before a store starts in boot
     * {@code currentBoot}: they were not forced, and the machine restarted since (or either boot is unknown).
     */
    boolean mayBeTornIn(String currentBoot) {
        return mode == Durability.Mode.PUBLISH && (bootId == null || bootId.equals("unknown") || currentBoot == null
                || !bootId.equals(currentBoot));
    }
}
