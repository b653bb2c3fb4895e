package io.caravan.unpack;

import java.nio.file.Path;
import java.util.List;

/** What an unpack published: the top-level paths in the destination, entries and content bytes. */
public record UnpackResult(List<Path> published, long entries, long bytes) {
}
