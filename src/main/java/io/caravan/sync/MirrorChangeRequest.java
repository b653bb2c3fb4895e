package io.caravan.sync;

import java.util.List;

/**
 * What {@code POST /mirror/changes} asks of a mirror, as the sender sent it: renames ({@code from},
 * {@code to}, and the {@code sha256} the source must still have, or null), then deletions. The paths
 * are relative to the mirror and not checked yet: {@link Mirrors#changes} checks every one of them
 * before anything changes. Absent lists are empty.
 */
public record MirrorChangeRequest(List<Rename> rename, List<String> delete) {

    public MirrorChangeRequest {
        rename = rename == null ? List.of() : rename;
        delete = delete == null ? List.of() : delete;
    }

    /** Move {@code from} to {@code to}; with {@code sha256}, only while {@code from} is a file with that content. */
    public record Rename(String from, String to, String sha256) {
    }
}
