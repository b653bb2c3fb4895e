package io.caravan.session;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * In which boot of the machine a store last ran and whether it forced its chunks to disk
 * ({@code <root>/sessions.boot}, two lines {@code boot_id <id>} and {@code durability <mode>}, written
 * durably when a store starts). Chunks stored with {@code publish} in a boot that has ended since (a
 * power loss, a reset, a reboot) may be torn: a store that finds such a record re-hashes them.
 */
record BootRecord(String bootId, Durability.Mode mode) {

    static final String FILE = "sessions.boot";

    /** The most a record may hold: two short lines. */
    static final long MAX_BYTES = 4096;

    /**
     * The record a store left in {@code root}; null if none did (a new store, or one that forced every chunk).
     * Anything else there (a link, a pipe, a file too large to be a record) says nothing: it is reported to
     * {@code unreadable}, and the worst is assumed.
     */
    static BootRecord read(ConfinedDir root, Consumer<String> unreadable) throws IOException {
        String text;
        try {
            text = new String(root.readSmall(FILE, MAX_BYTES), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | UnsafePathException e) {
            unreadable.accept(e.getMessage());
            return new BootRecord(null, Durability.Mode.PUBLISH);
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

    /** Writes this record in {@code root}, durably (a link there is replaced, never followed). */
    void write(ConfinedDir root, Syncer syncer) throws IOException {
        DurableFiles.writeString(root, FILE, "boot_id " + (bootId == null ? "unknown" : bootId) + "\n"
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
