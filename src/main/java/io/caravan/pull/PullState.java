package io.caravan.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pull has fetched, kept in {@code <inbox>/.caravan/pull/state.json}: for each remote parcel
 * name, the etag of the state that was published locally, and a summary of the last pass. Written
 * under a temporary name and renamed, so a crash leaves the old state or the new one. Read and written
 * relative to the open pull folder, never through a link: a link found as the state file is not read
 * (the pass starts from no state, and its write replaces the link, not its target), and a file larger
 * than {@link #MAX_BYTES} is refused rather than read into memory.
 */
public final class PullState {

    /** The most a state file may hold (about 200,000 parcels with long names). */
    static final long MAX_BYTES = 64L << 20;
    static final String FILE = "state.json";

    private static final Logger LOG = LoggerFactory.getLogger(PullState.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConfinedDir dir;
    private final Map<String, String> fetched = new TreeMap<>();
    private String from;

    private PullState(ConfinedDir dir) {
        this.dir = dir;
    }

    /** The state in {@code state.json} of the pull folder {@code dir} (kept open by the caller), empty when there is none yet. */
    public static PullState load(ConfinedDir dir) throws IOException {
        PullState state = new PullState(dir);
        String shown = ConfinedDir.join(dir.display(), FILE);
        if (dir.stat(FILE).map(PosixFileAttributes::isSymbolicLink).orElse(false)) {
            LOG.warn("pull: '{}' is a symbolic link, which Caravan never reads or writes through: this pass replaces the link"
                    + " (its target is left alone) and fetches every parcel again", shown);
            return state;
        }
        try {
            JsonNode json = JSON.readTree(dir.readSmall(FILE, MAX_BYTES));
            state.from = json.path("from").asText(null);
            state.lastPass = json.get("last_pass");
            json.path("parcels").fields().forEachRemaining(e -> state.fetched.put(e.getKey(), e.getValue().asText()));
        } catch (NoSuchFileException none) {
            // first pass
        } catch (IOException | UnsafePathException damaged) {
            throw new IOException("the pull state '" + shown + "' is damaged (" + damaged.getMessage()
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
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
        dir.replace(FILE, out -> out.write(bytes));
    }
}
