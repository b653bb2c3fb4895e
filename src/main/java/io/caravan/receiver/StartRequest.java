package io.caravan.receiver;

/**
 * What {@code POST /start} asks for, as the sender sent it: every field may be null (absent), and
 * nothing is checked yet; {@link Sessions#start} checks the values and refuses what it cannot serve.
 */
public record StartRequest(String name, String codec, String kind, Long chunkSize, String onConflict, String mode,
                           boolean into, boolean force) {
}
