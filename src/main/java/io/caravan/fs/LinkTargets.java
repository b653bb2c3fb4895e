package io.caravan.fs;

import java.util.ArrayDeque;
import java.util.List;

/** Judges where a symbolic link points, lexically, without following anything (rsync's {@code --safe-links}). */
public final class LinkTargets {

    private LinkTargets() {
    }

    /**
     * Whether a link at {@code entry} (a '/'-separated path whose first segment is the root of its
     * tree) to {@code target} leaves that tree: absolute targets, targets climbing above the root with
     * {@code ..}, and any target of a link that is itself the root do.
     */
    public static boolean leavesItsTree(String entry, String target) {
        if (target.startsWith("/") || entry.indexOf('/') < 0) {
            return true;
        }
        ArrayDeque<String> path = new ArrayDeque<>(List.of(entry.split("/")));
        path.removeLast();
        for (String segment : target.split("/")) {
            if (segment.equals("..")) {
                if (path.size() <= 1) {
                    return true;
                }
                path.removeLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                path.addLast(segment);
            }
        }
        return path.isEmpty();
    }
}
