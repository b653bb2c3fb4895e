package io.caravan.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.unpack.Staging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renames and deletions inside one mirror, as a sender's {@code POST /mirror/changes} asks:
 * renames first (one atomic move each, missing folders created, a rename with a {@code sha256}
 * only when the file still has that content), then deletions, deepest first. Every path is checked
 * by {@link MirrorPaths}; a refused path refuses the whole request before anything changes. What
 * cannot be done (source gone, content differs) is answered as skipped, not as an error.
 */
final class MirrorChanges {

    private final Path mirror;
    private final List<String> renamed = new ArrayList<>();
    private final List<String> deleted = new ArrayList<>();
    private final List<Map<String, String>> skipped = new ArrayList<>();

    private MirrorChanges(Path mirror) {
        this.mirror = mirror;
    }

    static Map<String, Object> apply(Path mirror, JsonNode request) throws IOException {
        List<JsonNode> renames = new ArrayList<>();
        request.path("rename").forEach(renames::add);
        List<String> deletes = new ArrayList<>();
        request.path("delete").forEach(d -> deletes.add(d.asText()));
        for (JsonNode r : renames) {
            Path from = MirrorPaths.resolve(mirror, r.path("from").asText(null));
            Path to = MirrorPaths.resolve(mirror, r.path("to").asText(null));
            if (to.startsWith(from) && !to.equals(from)) {
                throw MirrorPaths.unsafe(r.path("to").asText(), "a folder cannot move into itself ('"
                        + r.path("from").asText() + "')");
            }
        }
        for (String d : deletes) {
            MirrorPaths.resolve(mirror, d);
        }
        MirrorChanges changes = new MirrorChanges(mirror);
        for (JsonNode r : renames) {
            changes.rename(r.path("from").asText(), r.path("to").asText(), r.path("sha256").asText(null));
        }
        deletes.sort(Comparator.comparingInt((String d) -> d.split("/").length).reversed());
        for (String d : deletes) {
            changes.delete(d);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("renamed", changes.renamed);
        answer.put("deleted", changes.deleted);
        answer.put("skipped", changes.skipped);
        return answer;
    }

    private void rename(String from, String to, String sha256) throws IOException {
        Path source = MirrorPaths.resolve(mirror, from);
        BasicFileAttributes attrs = MirrorPaths.attributes(source);
        if (attrs == null) {
            skip(from, "not in the mirror");
            return;
        }
        if (sha256 != null && (!attrs.isRegularFile() || !sha256.equals(MirrorListing.sha256(source, new byte[256 * 1024])))) {
            skip(from, "its content is not " + sha256);
            return;
        }
        Path target = MirrorPaths.resolve(mirror, to);
        MirrorPaths.createParents(mirror, target);
        BasicFileAttributes existing = MirrorPaths.attributes(target);
        Set<PosixFilePermission> sourceParent = writable(source.getParent());
        Set<PosixFilePermission> targetParent = writable(target.getParent());
        // a folder moving to another parent needs write permission on itself (its '..' changes)
        Set<PosixFilePermission> self = attrs.isDirectory() ? MirrorPaths.makeWritable(source) : null;
        try {
            if (existing != null && existing.isDirectory()) {
                Staging.deleteTree(target);
            }
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            restore(Files.exists(target) ? target : source, self);
            restore(target.getParent(), targetParent); // in reverse order: the two parents may be one folder
            restore(source.getParent(), sourceParent);
        }
        renamed.add(from + " -> " + to);
    }

    private void delete(String relative) throws IOException {
        Path target = MirrorPaths.resolve(mirror, relative);
        if (MirrorPaths.attributes(target) == null) {
            skip(relative, "not in the mirror");
            return;
        }
        Set<PosixFilePermission> parent = writable(target.getParent());
        try {
            Staging.deleteTree(target);
        } finally {
            restore(target.getParent(), parent);
        }
        deleted.add(relative);
    }

    private Set<PosixFilePermission> writable(Path dir) throws IOException {
        return dir.equals(mirror) ? null : MirrorPaths.makeWritable(dir);
    }

    private static void restore(Path dir, Set<PosixFilePermission> permissions) throws IOException {
        if (permissions != null && Files.isDirectory(dir)) {
            Files.setPosixFilePermissions(dir, permissions);
        }
    }

    private void skip(String path, String reason) {
        skipped.add(Map.of("path", path, "reason", reason));
    }
}
