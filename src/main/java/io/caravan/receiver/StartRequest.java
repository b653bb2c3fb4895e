package io.caravan.receiver;

/**
 * What {@code POST /start} asks for, as the sender sent it: every field may be null (absent), and
 * nothing is checked yet; {@link Sessions#start} checks the values and refuses what it cannot serve.
 * {@code size} is the sender's count of its source's bytes, a hint for progress and ETA only.
 */
public record StartRequest(String name, String codec, String kind, Long chunkSize, String onConflict, String mode,
                           boolean into, boolean force, Long size) {

    public StartRequest(String name, String codec, String kind, Long chunkSize, String onConflict, String mode,
                        boolean into, boolean force) {
        this(name, codec, kind, chunkSize, onConflict, mode, into, force, null);
    }
}
