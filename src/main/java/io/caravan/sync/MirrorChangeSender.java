package io.caravan.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.sender.Retry;
import io.caravan.sender.ReceiverClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sends a plan's renames and deletions to the mirror ({@code POST /mirror/changes}). A rename the
 * receiver skips (its source is gone or holds other content) falls back to sending the entry and
 * deleting the old path, so the pass still converges.
 */
final class MirrorChangeSender {

    private final String name;
    private final ReceiverClient client;
    private final SyncConsole console;

    MirrorChangeSender(String name, ReceiverClient client, SyncConsole console) {
        this.name = name;
        this.client = client;
        this.console = console;
    }

    /** Applies renames then deletions; adds fallen-back renames to {@code send}; returns how many were done. */
    long apply(SyncPlan plan, Map<String, SyncEntry> local, List<SyncEntry> send, List<String> created, boolean announce) {
        if (plan.renames().isEmpty() && plan.deletes().isEmpty()) {
            return 0;
        }
        List<Map<String, String>> renames = new ArrayList<>();
        for (SyncPlan.Rename r : plan.renames()) {
            Map<String, String> rename = new LinkedHashMap<>();
            rename.put("from", r.from());
            rename.put("to", r.to());
            if (r.sha256() != null) {
                rename.put("sha256", r.sha256());
            }
            renames.add(rename);
        }
        JsonNode answer = call(Map.of("rename", renames, "delete", plan.deletes()));
        Set<String> skipped = new HashSet<>();
        answer.path("skipped").forEach(s -> skipped.add(s.path("path").asText()));
        List<String> fallbackDeletes = new ArrayList<>();
        long done = 0;
        for (SyncPlan.Rename r : plan.renames()) {
            if (skipped.contains(r.from())) {
                send.add(local.get(r.to()));
                created.add(r.to());
                fallbackDeletes.add(r.from());
            } else {
                done++;
                announce(announce, "Renamed: " + r.from() + " -> " + r.to());
            }
        }
        for (String path : plan.deletes()) {
            done++;
            announce(announce, "Deleted: " + path);
        }
        if (!fallbackDeletes.isEmpty()) {
            call(Map.of("delete", fallbackDeletes));
        }
        return done;
    }

    private JsonNode call(Map<String, Object> body) {
        return Retry.MIRROR.call("changes of mirror " + name, () -> client.mirrorChanges(name, body));
    }

    private void announce(boolean announce, String line) {
        if (announce) {
            console.line(line);
        }
    }
}
