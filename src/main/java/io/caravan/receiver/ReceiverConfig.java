package io.caravan.receiver;

import io.caravan.dedup.IndexStore;
import io.caravan.session.Durability;
import io.caravan.session.SessionLimits;
import io.caravan.session.SessionMeta;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of a receiver. Everything it keeps lives inside {@code inbox}: published parcels at the
 * top, its own state under {@code inbox/.caravan/} (sessions, staging, dedup index), so every
 * publish is a rename on one file system. What a publish or mirror change replaces is kept in
 * {@code inbox/.caravan/versions/} for {@code keepVersions} (zero: deleted at once). {@code durability}
 * says when what arrives is forced to disk (every chunk, or each parcel once before its publish).
 */
public record ReceiverConfig(Path inbox, Duration sessionTtl, SessionLimits limits, long dedupMinSize,
                             OnConflict onConflict, ExtractPolicy policy, Duration keepVersions, Durability durability,
                             String node) {

    /** Settings of a receiver alone on its inbox. */
    public ReceiverConfig(Path inbox, Duration sessionTtl, SessionLimits limits, long dedupMinSize,
                          OnConflict onConflict, ExtractPolicy policy, Duration keepVersions, Durability durability) {
        this(inbox, sessionTtl, limits, dedupMinSize, onConflict, policy, keepVersions, durability, null);
    }

    /** The same settings for node {@code node} of receivers that share the inbox (its own staging folder). */
    public ReceiverConfig asNode(String node) {
        return new ReceiverConfig(inbox, sessionTtl, limits, dedupMinSize, onConflict, policy, keepVersions, durability, node);
    }

    /**
     * Where this receiver stages what it extracts and joins before a publish, and which it empties when it
     * starts: {@code .caravan/staging}, or {@code .caravan/staging-<node>} for a node sharing the inbox.
     */
    public Path stagingDir() {
        return stateDir().resolve(node == null ? "staging" : "staging-" + node);
    }

    /** Settings with the default durability ({@code publish}). */
    public ReceiverConfig(Path inbox, Duration sessionTtl, SessionLimits limits, long dedupMinSize,
                          OnConflict onConflict, ExtractPolicy policy, Duration keepVersions) {
        this(inbox, sessionTtl, limits, dedupMinSize, onConflict, policy, keepVersions, Durability.DEFAULT);
    }

    public Path stateDir() {
        return inbox.resolve(".caravan");
    }

    /** The content index of a receiver alone on its inbox ({@code dedup.jsonl} in its state folder). */
    public IndexStore ownContentIndex() {
        return IndexStore.inLog(stateDir().resolve("dedup.jsonl"));
    }

    /** What a publish of this session does with an existing entry: as the sender asked, else as configured. */
    public OnConflict onConflict(SessionMeta session) {
        return session.onConflict() == null ? onConflict : OnConflict.parse(session.onConflict());
    }
}
