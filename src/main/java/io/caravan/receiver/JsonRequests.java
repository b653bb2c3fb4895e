package io.caravan.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.NameRules;
import io.caravan.session.RequestRejectedException;
import io.caravan.sync.MirrorChangeRequest;
import io.caravan.util.StrictJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON request bodies of the HTTP API as typed requests. A body that is not JSON, or not of the
 * shape a request needs, is refused with a 400 {@code bad_request} naming what was expected; a field
 * that holds a name, a path or a hash must be a JSON string (a number, a boolean or {@code null} where a
 * path is needed is refused naming the field, never read as the path "123", "true" or "null"); the
 * values themselves are checked by the bean that serves the request. A key given twice, or one the request
 * does not know (a misspelt {@code on_conflict} would otherwise be ignored and the default used), is
 * refused naming it ({@link StrictJson}).
 */
final class JsonRequests {

    private static final ObjectMapper JSON = StrictJson.mapper();
    private static final List<String> START_KEYS = List.of("name", "codec", "kind", "chunk_size", "on_conflict", "mode",
            "into", "force", "size");

    private JsonRequests() {
    }

    /** {@code POST /start}: an empty body starts a raw session. */
    static StartRequest start(String body) {
        JsonNode options = parse(body);
        if (!options.isObject()) {
            throw RequestRejectedException.badRequest("the options must be a JSON object such as {\"codec\":\"zstd\",\"name\":\"x\"}");
        }
        known(options, "", START_KEYS, "an option of POST /start");
        return new StartRequest(text(options, "name"), text(options, "codec"), text(options, "kind"),
                wholeNumber(options, "chunk_size", "the chunk size in bytes"), text(options, "on_conflict"),
                text(options, "mode"), flag(options, "into"), flag(options, "force"),
                wholeNumber(options, "size", "the source's bytes"));
    }

    /** An optional whole number of at least 0 ({@code size}, {@code chunk_size}): "abc" or 1.5 is 400, never read as 0 or 1. */
    private static Long wholeNumber(JsonNode options, String field, String meaning) {
        JsonNode value = options.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToLong() || value.asLong() < 0) {
            throw RequestRejectedException.badRequest(field + " must be " + meaning + ", a whole number of at least 0, not "
                    + value);
        }
        return value.asLong();
    }

    /**
     * {@code POST /finish/{sid}}: the manifest as sent, read when the session was found (none for an empty
     * body), and the publish options of its query, checked now.
     */
    static FinishRequest finish(String sessionId, String body, String onConflict, String force,
                                java.util.function.BooleanSupplier asked) {
        return new FinishRequest(sessionId, body, PublishOptions.of(onConflict, force), asked);
    }

    /** Batch {@code POST /check}: a JSON list of hashes, or {@code {"hashes": [...]}}. */
    static List<String> hashes(String body) {
        JsonNode node = parse(body);
        if (node.isObject()) {
            known(node, "", List.of("hashes"), "a field of POST /check");
        }
        JsonNode list = node.isArray() ? node : node.path("hashes");
        if (!list.isArray()) {
            throw RequestRejectedException.badRequest("send a JSON list of SHA-256 hashes, or {\"hashes\": [...]}");
        }
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            hashes.add(required(list.get(i), "hashes[" + i + "]", "a SHA-256 hash"));
        }
        return hashes;
    }

    /** {@code POST /mirror/changes}: {@code {"rename":[{"from","to","sha256"?}], "delete":[paths]}}; an empty body asks for nothing. */
    static MirrorChangeRequest mirrorChanges(String body) {
        JsonNode request = parse(body);
        if (!request.isObject()) {
            throw RequestRejectedException.badRequest("send {\"rename\":[{\"from\":..,\"to\":..}], \"delete\":[paths]}");
        }
        known(request, "", List.of("rename", "delete"), "a field of POST /mirror/changes");
        JsonNode renameList = list(request, "rename", "a list of {\"from\":..,\"to\":..}");
        List<MirrorChangeRequest.Rename> renames = new ArrayList<>();
        for (int i = 0; i < renameList.size(); i++) {
            String field = "rename[" + i + "]";
            JsonNode rename = renameList.get(i);
            if (!rename.isObject()) {
                throw RequestRejectedException.badRequest(field + " must be an object {\"from\":..,\"to\":..}, not " + rename);
            }
            known(rename, field + ".", List.of("from", "to", "sha256"), "a field of a rename");
            renames.add(new MirrorChangeRequest.Rename(required(rename.get("from"), field + ".from", "a path"),
                    required(rename.get("to"), field + ".to", "a path"), text(rename, "sha256", field + ".sha256")));
        }
        JsonNode deleteList = list(request, "delete", "a list of paths");
        List<String> deletes = new ArrayList<>();
        for (int i = 0; i < deleteList.size(); i++) {
            deletes.add(required(deleteList.get(i), "delete[" + i + "]", "a path"));
        }
        return new MirrorChangeRequest(renames, deletes);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String problem = StrictJson.problem(e);
            throw RequestRejectedException.badRequest(problem != null ? problem : "the body is not valid JSON: " + StrictJson.words(e));
        } catch (IOException e) {
            throw RequestRejectedException.badRequest("the body is not valid JSON: " + e.getMessage());
        }
    }

    /** Refuses a key of {@code object} that is not one of {@code keys}, naming it ({@code prefix}: where the object is). */
    private static void known(JsonNode object, String prefix, List<String> keys, String what) {
        for (java.util.Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!keys.contains(name)) {
                throw RequestRejectedException.badRequest(prefix + NameRules.printable(name) + " is not " + what
                        + " (" + String.join(", ", keys) + ")");
            }
        }
    }

    private static boolean flag(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value != null && !value.isNull() && !value.isBoolean()) {
            throw RequestRejectedException.badRequest(field + " must be true or false, not " + value);
        }
        return value != null && value.asBoolean();
    }

    /** The list {@code field} of {@code node}; an empty one when absent or null. */
    private static JsonNode list(JsonNode node, String field, String meaning) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return JSON.createArrayNode();
        }
        if (!value.isArray()) {
            throw RequestRejectedException.badRequest(field + " must be " + meaning + ", not " + value);
        }
        return value;
    }

    /** A value that must be a JSON string ({@code name} names it in the refusal, {@code meaning} says what it holds). */
    private static String required(JsonNode value, String name, String meaning) {
        if (value == null || !value.isTextual()) {
            throw RequestRejectedException.badRequest(name + " must be " + meaning + ", a JSON string, not "
                    + (value == null ? "missing" : value.toString()));
        }
        return value.asText();
    }

    /** An optional JSON string: absent or null is null, anything else but a string is refused. */
    private static String text(JsonNode node, String field) {
        return text(node, field, field);
    }

    private static String text(JsonNode node, String field, String name) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : required(value, name, "text");
    }
}
