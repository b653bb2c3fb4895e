package io.caravan.sync;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The answer to {@code POST /mirror/changes}: the renames done ({@code "from -> to"}), the paths
 * deleted, and what was skipped with the reason (source gone, content differs, a link or file in the way).
 */
@JsonPropertyOrder({"renamed", "deleted", "skipped"})
public record MirrorChangesDone(List<String> renamed, List<String> deleted, List<Skipped> skipped) {

    /** A rename or deletion that was not done, and why. */
    @JsonPropertyOrder({"path", "reason"})
    public record Skipped(String path, String reason) {
    }
}
