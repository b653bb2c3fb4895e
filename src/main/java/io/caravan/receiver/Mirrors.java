package io.caravan.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.session.RequestRejectedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mirrors of a receiver ({@code <inbox>/<name>}, DESIGN §5): listing, renames and deletions, and
 * applying extracted parcels. Work on one mirror is serialised, so parallel parcels and changes of
 * one sender never interleave inside it; different mirrors proceed in parallel.
 */
final class Mirrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path inbox;
    private final Map<Path, Object> locks = new ConcurrentHashMap<>();

    Mirrors(Path inbox) {
        this.inbox = inbox.toAbsolutePath().normalize();
    }

    /** {@code GET /mirror}: the entries of the mirror; an empty list when it does not exist yet. */
    Map<String, Object> list(String name, boolean checksum) throws IOException {
        Path mirror = MirrorPaths.root(inbox, name, false);
        synchronized (lock(mirror)) {
            List<Map<String, Object>> entries = MirrorListing.list(mirror, checksum);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("name", name);
            answer.put("entries", entries);
            return answer;
        }
    }

    /** {@code POST /mirror/changes}: {@code {"rename":[{"from","to","sha256"?}], "delete":[paths]}}. */
    Map<String, Object> changes(String name, String body) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            throw RequestRejectedException.badRequest("the body is not valid JSON: " + e.getMessage());
        }
        if (!request.isObject()) {
            throw RequestRejectedException.badRequest("send {\"rename\":[{\"from\":..,\"to\":..}], \"delete\":[paths]}");
        }
        Path mirror = MirrorPaths.root(inbox, name, true);
        synchronized (lock(mirror)) {
            return MirrorChanges.apply(mirror, request);
        }
    }

    /** Applies an extracted parcel onto the mirror {@code name}. */
    MirrorApply.Result apply(String name, Path staging) throws IOException {
        Path mirror = MirrorPaths.root(inbox, name, true);
        synchronized (lock(mirror)) {
            return MirrorApply.apply(staging, mirror);
        }
    }

    Path path(String name) throws IOException {
        return MirrorPaths.root(inbox, name, false);
    }

    private Object lock(Path mirror) {
        return locks.computeIfAbsent(mirror, m -> new Object());
    }
}
