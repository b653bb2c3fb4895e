package io.caravan.session;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a session was started with, stored as {@code meta.json} beside its chunks. {@code kind} is
 * {@code raw} (chunks are concatenated into one file) or {@code archive} (chunks form a
 * Caravan tar stream that is extracted); {@code mode} {@code apply} applies an archive onto the mirror
 * {@code name} instead of publishing it (absent otherwise). {@code into} and {@code force} say how the
 * name is placed in the inbox (see {@link #intoExistingFolder()}, {@link #allowTypeChange()}). {@code size}
 * is the sender's count of its source's bytes, when it gave one: a hint for progress, never checked.
 * {@code on_conflict} and {@code force} are the publish options of the start, or of the last finish that
 * gave them again ({@link SessionStore#replacePublishOptions}); {@code into} is decided at the start only.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionMeta(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("kind") String kind,
        @JsonProperty("codec") String codec,
        @JsonProperty("chunk_size") Long chunkSize,
        @JsonProperty("on_conflict") String onConflict,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("expires_at") String expiresAt,
        @JsonProperty("mode") String mode,
        @JsonProperty("into") Boolean into,
        @JsonProperty("force") Boolean force,
        @JsonProperty("size") Long size) {

    public static final String RAW = "raw";
    public static final String ARCHIVE = "archive";
    /** {@code mode} of an archive session applied onto a mirror instead of published. */
    public static final String APPLY = "apply";

    public SessionMeta(String id, String name, String kind, String codec, Long chunkSize, String onConflict,
                       String createdAt, String expiresAt) {
        this(id, name, kind, codec, chunkSize, onConflict, createdAt, expiresAt, null, null, null, null);
    }

    /**
     * This metadata with other publish options ({@code on_conflict}, {@code force}), as a finish that gives
     * them again replaces them; everything else as it was.
     */
    public SessionMeta withPublishOptions(String onConflict, boolean force) {
        return new SessionMeta(id, name, kind, codec, chunkSize, onConflict, createdAt, expiresAt, mode, into,
                force ? Boolean.TRUE : null, size);
    }

    /** This metadata expiring at {@code expiresAt} instead (a renewal, see {@link Session#renewal}); everything else as it was. */
    public SessionMeta withExpiresAt(String expiresAt) {
        return new SessionMeta(id, name, kind, codec, chunkSize, onConflict, createdAt, expiresAt, mode, into, force, size);
    }

    /**
     * Whether {@code name} means "into that folder": set when the sender gave an explicit remote name
     * and a folder of that name existed when the session started (a name ending in {@code /} always does).
     */
    public boolean intoExistingFolder() {
        return Boolean.TRUE.equals(into);
    }

    /** Whether the publish may replace a folder by a file or link, or the other way round. */
    public boolean allowTypeChange() {
        return Boolean.TRUE.equals(force);
    }

    public boolean apply() {
        return APPLY.equals(mode);
    }

    public boolean archive() {
        return ARCHIVE.equals(kind);
    }
}
