package io.caravan.receiver;

import io.caravan.pack.Codecs;
import io.caravan.session.Session;
import io.caravan.session.SessionStore;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.Resumption;
import io.caravan.unpack.UnpackOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What every run of one session's extraction works with: the session and its store, the staging
 * folder it extracts into (inside the receiver's state, on the inbox's file system), the options,
 * the content store for references, and the pool it runs on.
 */
record ExtractionSetup(Session session, SessionStore store, SessionStagingFolder staging, Path inbox, UnpackOptions options,
                       ExtractHooks contentHooks, ExtractionPool pool) {

    private static final String CHECKPOINT = ".checkpoint";
    private static final String JOURNAL = ".journal";

    /**
     * The format of the session's stream when it has restart points ({@code zstd}, written by the codecs
     * zstd and auto, or {@code none}: see {@link io.caravan.unpack.Resumption}), else null.
     */
    String resumableCodec() {
        String codec = session.meta().codec();
        if (codec == null) {
            return null;
        }
        String stream = Codecs.byName(codec).streamName();
        return Resumption.supports(stream) ? stream : null;
    }

    /** Where the extraction's last checkpoint is kept: beside the staging folder, never published with it. */
    Path checkpointFile() {
        return staging.beside(CHECKPOINT);
    }

    /** Removes the extraction's checkpoint, as itself; absent is fine. */
    void dropCheckpoint() throws IOException {
        staging.removeBeside(CHECKPOINT);
    }

    /** Where the extraction's journal is kept, beside the staging folder. */
    Path journalFile() {
        return staging.beside(JOURNAL);
    }

    /** The names of a session's staging folder and the files beside it, in the receiver's staging folder. */
    static java.util.List<String> stagingNames(String sessionId) {
        return java.util.List.of(sessionId, sessionId + CHECKPOINT, sessionId + JOURNAL);
    }

    /**
     * Removes the staging folder, as far as it can, its checkpoint first: a checkpoint is never left
     * without the folder it speaks of.
     */
    void freeStaging() {
        try {
            staging.removeBeside(CHECKPOINT);
            staging.removeBeside(JOURNAL);
            staging.remove();
        } catch (IOException | IllegalStateException e) {
            // what is left (or all of it, once the receiver closed its staging folder) is removed when the
            // extraction starts again, or at the next start of the receiver
        }
    }
}
