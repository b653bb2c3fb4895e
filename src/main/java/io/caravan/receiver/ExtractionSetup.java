package io.caravan.receiver;

import io.caravan.session.Session;
import io.caravan.session.SessionStore;
import io.caravan.unpack.ExtractHooks;
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

    /** Removes the staging folder, as far as it can. */
    void freeStaging() {
        try {
            staging.remove();
        } catch (IOException | IllegalStateException e) {
            // what is left (or all of it, once the receiver closed its staging folder) is removed when the
            // extraction starts again, or at the next start of the receiver
        }
    }
}
