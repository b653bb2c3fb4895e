package io.caravan.sync;

import io.caravan.fs.UnsafePathException;
import io.caravan.receiver.ParcelNames;

import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.session.RequestRejectedException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves what a sender names inside a mirror so that nothing outside it can be reached: mirror
 * names and paths follow the {@link NameRules}, and every folder on the way is opened without
 * following links ({@link ConfinedDir}); the last segment itself may be a link (it is then acted
 * on, never followed).
 */
final class MirrorPaths {

    private MirrorPaths() {
    }

    /** The mirror {@code <inbox>/<name>}, opened; with {@code create}, missing folders are made. Empty when absent. */
    static ConfinedDir open(Path inbox, String name, boolean create) throws IOException {
        if (name == null) {
            throw RequestRejectedException.badRequest("name the mirror: ?name=<mirror>");
        }
        ParcelNames.check(name);
        try (ConfinedDir root = ConfinedDir.open(inbox)) {
            return create ? root.openDirs(name) : root.openDir(name);
        } catch (UnsafePathException e) {
            throw new RequestRejectedException(409, "not_a_mirror", "'" + name + "' is not a folder in the inbox: " + e.getMessage());
        }
    }

    /** Like {@link #open} without creating; null when the mirror does not exist yet. */
    static ConfinedDir openIfExists(Path inbox, String name) throws IOException {
        try {
            return open(inbox, name, false);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Checks a path inside the mirror; returns its segments. */
    static List<String> check(String relative) {
        if (relative == null || relative.isEmpty() || relative.endsWith("/")) {
            throw unsafe(String.valueOf(relative), "it must be a relative path such as 'docs/a.txt'");
        }
        String problem = NameRules.problem(relative);
        if (problem != null) {
            throw unsafe(relative, problem);
        }
        return ConfinedDir.segments(relative);
    }

    static String parent(String relative) {
        int slash = relative.lastIndexOf('/');
        return slash < 0 ? "" : relative.substring(0, slash);
    }

    static String leaf(String relative) {
        return relative.substring(relative.lastIndexOf('/') + 1);
    }

    static RequestRejectedException unsafe(String path, String why) {
        return RequestRejectedException.badRequest("path '" + NameRules.printable(path) + "' refused: " + why
                + "; nothing was changed for it");
    }
}
