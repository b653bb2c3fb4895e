package io.caravan.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A state of a remote parcel this receiver refused, as {@link PullState} keeps it: the {@code etag} listed
 * for it, the {@code reason}, and the {@code limits} it was refused under (the expansion and decoder-memory
 * limits, as {@link PullPass} writes them), or null when no setting here lets it in. A pass does not fetch
 * the parcel again while the refusal {@link #holds} for what the catalog lists.
 */
public record Refusal(String etag, String reason, String limits) {

    /** Whether the refusal stands for the parcel listed at {@code listed} while the limits are {@code current}. */
    public boolean holds(String listed, String current) {
        return etag.equals(listed) && (limits == null || limits.equals(current));
    }

    /** The same, its reason cut to {@link PullState#MAX_REASON} characters. */
    Refusal cut() {
        return reason.length() <= PullState.MAX_REASON ? this
                : new Refusal(etag, reason.substring(0, PullState.MAX_REASON) + "...", limits);
    }

    /** Adds its fields to {@code json}. */
    ObjectNode toJson(ObjectNode json) {
        json.put("etag", etag).put("reason", reason);
        if (limits != null) {
            json.put("limits", limits);
        }
        return json;
    }

    /** The refusal {@link #toJson} wrote, or null if {@code json} is not one. */
    static Refusal of(JsonNode json) {
        if (!json.path("etag").isTextual() || !json.path("reason").isTextual()) {
            return null;
        }
        JsonNode limits = json.get("limits");
        return new Refusal(json.get("etag").asText(), json.get("reason").asText(),
                limits != null && limits.isTextual() ? limits.asText() : null);
    }
}
