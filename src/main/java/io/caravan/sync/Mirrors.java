package io.caravan.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.Versions;
import io.caravan.session.RequestRejectedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mirrors of a receiver ({@code <inbox>/<name>}): listing, renames and deletions, and applying
 * extracted parcels. Work on one mirror is serialised, so parallel parcels and changes of one
 * sender never interleave inside it; different mirrors proceed in parallel. What a change replaces
 * or removes is kept in the versions area.
 */
public final class Mirrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path inbox;
    private final Versions versions;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public Mirrors(Path inbox, Versions versions) {
        this.inbox = inbox.toAbsolutePath().normalize();
        this.versions = versions;
    }

    /** {@code GET /mirror}: the entries of the mirror; an empty list when it does not exist yet. */
    public Map<String, Object> list(String name, boolean checksum) throws IOException {
        synchronized (lock(name)) {
            List<Map<String, Object>> entries;
            try (ConfinedDir mirror = MirrorPaths.openIfExists(inbox, name)) {
                entries = mirror == null ? List.of() : MirrorListing.list(mirror.self(), checksum);
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("name", name);
            answer.put("entries", entries);
            return answer;
        }
    }

    /** {@code POST /mirror/changes}: {@code {"rename":[{"from","to","sha256"?}], "delete":[paths]}}. */
    public Map<String, Object> changes(String name, String body) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            throw RequestRejectedException.badRequest("the body is not valid JSON: " + e.getMessage());
        }
        if (!request.isObject()) {
            throw RequestRejectedException.badRequest("send {\"rename\":[{\"from\":..,\"to\":..}], \"delete\":[paths]}");
        }
        synchronized (lock(name)) {
            try (ConfinedDir mirror = MirrorPaths.open(inbox, name, true)) {
                return MirrorChanges.apply(mirror, versions.batch(), request);
            }
        }
    }

    /** Applies an extracted parcel onto the mirror {@code name}. */
    public MirrorApply.Result apply(String name, Path staging) throws IOException {
        synchronized (lock(name)) {
            try (ConfinedDir mirror = MirrorPaths.open(inbox, name, true)) {
                return MirrorApply.apply(staging, mirror, versions.batch());
            }
        }
    }

    public Path path(String name) {
        return inbox.resolve(name);
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name == null ? "" : name, m -> new Object());
    }
}
