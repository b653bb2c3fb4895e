package io.caravan.cli;

import io.caravan.CaravanException;
import io.caravan.pack.PartFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** What a {@code pack} would replace at its output, refused unless the user asked with {@code --force}. */
final class ExistingOutput {

    private static final Pattern PART = Pattern.compile("\\.part(\\d{4,})");

    private ExistingOutput() {
    }

    /** The manifest and parts of the part set at {@code prefix} that exist now, manifest first. */
    static List<Path> partSet(Path prefix) throws IOException {
        List<Path> found = new ArrayList<>();
        Path manifest = PartFiles.manifest(prefix);
        if (Files.exists(manifest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            found.add(manifest);
        }
        if (!Files.isDirectory(prefix.getParent())) {
            return found;
        }
        String base = prefix.getFileName().toString();
        try (var siblings = Files.list(prefix.getParent())) {
            siblings.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(base) && PART.matcher(name.substring(base.length())).matches();
            }).sorted().forEach(found::add);
        }
        return found;
    }

    static void refuseUnlessForced(List<Path> existing, boolean force) {
        if (existing.isEmpty() || force) {
            return;
        }
        String more = existing.size() > 1 ? " and " + (existing.size() - 1) + " more file" + (existing.size() > 2 ? "s" : "") : "";
        throw new CaravanException(existing.get(0) + more + " already exist" + (existing.size() > 1 ? "" : "s")
                + ": nothing was written; choose another --out, or pass --force to replace " + (existing.size() > 1 ? "them" : "it"));
    }

    /** After a forced pack of {@code parts} parts: the old set's parts beyond them are removed, so one whole set remains. */
    static void removeStaleParts(List<Path> existing, Path prefix, int parts) throws IOException {
        String base = prefix.getFileName().toString();
        for (Path old : existing) {
            var m = PART.matcher(old.getFileName().toString().substring(base.length()));
            if (m.matches() && Long.parseLong(m.group(1)) >= parts) {
                Files.deleteIfExists(old);
            }
        }
    }
}
