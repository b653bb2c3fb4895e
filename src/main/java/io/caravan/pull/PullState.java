package io.caravan.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the pull has fetched, kept in {@code <inbox>/.caravan/pull/state.json}: for each remote parcel
 * name, the etag of the state that was published locally, and a summary of the last pass. Written
 * under a temporary name and renamed, so a crash leaves the old state or the new one.
 */
public final class PullState {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, String> fetched = new TreeMap<>();
    private String from;

    private PullState(Path file) {
        this.file = file;
    }

    /** The state in {@code file}, empty when there is none yet. */
    public static PullState load(Path file) throws IOException {
        PullState state = new PullState(file);
        try {
            JsonNode json = JSON.readTree(Files.readAllBytes(file));
            state.from = json.path("from").asText(null);
            state.lastPass = json.get("last_pass");
            json.path("parcels").fields().forEachRemaining(e -> state.fetched.put(e.getKey(), e.getValue().asText()));
        } catch (NoSuchFileException none) {
            // first pass
        } catch (IOException damaged) {
            throw new IOException("the pull state " + file + " is damaged (" + damaged.getMessage()
                    + "): remove it, and the next pass fetches every parcel again", damaged);
        }
        return state;
    }

    /** The etag fetched last for {@code name}, or null. */
    public String etag(String name) {
        return fetched.get(name);
    }

    public String from() {
        return from;
    }

    /** Records {@code name} as fetched in state {@code etag}, from {@code url}, and writes the file. */
    public void fetched(String url, String name, String etag) throws IOException {
        from = url;
        fetched.put(name, etag);
        write(null);
    }

    /** Writes the state with the summary of a finished pass. */
    public void passFinished(String url, Instant at, int fetchedNow, int failed) throws IOException {
        from = url;
        ObjectNode pass = JSON.createObjectNode();
        pass.put("finished_at", at.toString());
        pass.put("fetched", fetchedNow);
        pass.put("failed", failed);
        write(pass);
    }

    private JsonNode lastPass;

    private void write(ObjectNode pass) throws IOException {
        if (pass != null) {
            lastPass = pass;
        }
        ObjectNode json = JSON.createObjectNode();
        json.put("from", from);
        ObjectNode parcels = json.putObject("parcels");
        fetched.forEach(parcels::put);
        if (lastPass != null) {
            json.set("last_pass", lastPass);
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
