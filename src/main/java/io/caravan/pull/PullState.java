package io.caravan.pull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caravan.download.CatalogClient;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.fs.UnsafePathException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pull has fetched, kept in {@code <inbox>/.caravan/pull/}: for each remote parcel name, the
 * etag of the state that was published locally; for each parcel refused ({@link Refusal}), the etag of the
 * state refused, why, and the limits it was refused under; and a summary of the last pass. {@code state.json}
 * holds them all and is written, under a temporary name and renamed, at the end of a pass; each parcel
 * fetched or refused meanwhile is appended as one line to {@code fetched.jsonl}, which a load replays and the
 * next write of {@code state.json} removes, so recording a parcel costs the same whatever the state holds.
 *
 * <p>Bounded whatever a catalog lists: only entries whose name follows the name rules and whose etag
 * {@link CatalogClient#etagProblem} accepts are kept (at most 3 KiB and 256 characters), and at most
 * {@link #MAX_PARCELS} of them and {@link #MAX_HELD_BYTES} of names and etags; beyond, the parcels
 * fetched longest ago are forgotten (fetched again if a later pass still lists them); at most
 * {@link #MAX_REFUSED} refusals, their reasons cut to {@link #MAX_REASON} characters, the oldest forgotten
 * first (fetched again, and refused again). Read and written
 * relative to the open pull folder, never through a link: a link found as the state file is not read
 * (the pass starts from no state, and its write replaces the link, not its target), and a file larger
 * than {@link #MAX_BYTES} is refused rather than read into memory.
 */
public final class PullState {

    /** The most a state file (or the journal of the parcels fetched since it was written) may hold. */
    static final long MAX_BYTES = 64L << 20;
    /** The most parcels remembered. */
    static final int MAX_PARCELS = 100_000;
    /** The most bytes of names and etags remembered (each entry counted with {@link #ENTRY_OVERHEAD} more). */
    static final long MAX_HELD_BYTES = 16L << 20;
    /** The most refusals remembered. */
    static final int MAX_REFUSED = 10_000;
    /** The most characters of a refusal's reason kept. */
    static final int MAX_REASON = 1000;
    static final String FILE = "state.json";
    static final String JOURNAL = "fetched.jsonl";
    private static final int ENTRY_OVERHEAD = 16;
    /** The journal is folded into {@code state.json} once it holds more than this, or more than the state itself. */
    private static final long JOURNAL_FOLD = 1L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(PullState.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConfinedDir dir;
    private final int maxParcels;
    private final long maxHeldBytes;
    /** Name to etag, the parcel fetched longest ago first. */
    private final LinkedHashMap<String, String> fetched = new LinkedHashMap<>();
    /** Name to the state of it refused, the one refused longest ago first. */
    private final LinkedHashMap<String, Refusal> refused = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Refusal> eldest) {
            return size() > MAX_REFUSED;
        }
    };
    private long heldBytes;
    private long journalBytes;
    private long forgotten;
    private String from;
    private JsonNode lastPass;

    private PullState(ConfinedDir dir, int maxParcels, long maxHeldBytes) {
        this.dir = dir;
        this.maxParcels = maxParcels;
        this.maxHeldBytes = maxHeldBytes;
    }

    /** The state in {@code state.json} of the pull folder {@code dir} (kept open by the caller), empty when there is none yet. */
    public static PullState load(ConfinedDir dir) throws IOException {
        return load(dir, MAX_PARCELS, MAX_HELD_BYTES);
    }

    /** As {@link #load(ConfinedDir)}, remembering at most {@code maxParcels} parcels and {@code maxHeldBytes}. */
    static PullState load(ConfinedDir dir, int maxParcels, long maxHeldBytes) throws IOException {
        PullState state = new PullState(dir, maxParcels, maxHeldBytes);
        String shown = ConfinedDir.join(dir.display(), FILE);
        if (dir.stat(FILE).map(PosixFileAttributes::isSymbolicLink).orElse(false)) {
            LOG.warn("pull: '{}' is a symbolic link, which Caravan never reads or writes through: this pass replaces the link"
                    + " (its target is left alone) and fetches every parcel again", shown);
            return state;
        }
        int dropped = 0;
        try {
            JsonNode json = JSON.readTree(dir.readSmall(FILE, MAX_BYTES));
            state.from = json.path("from").asText(null);
            state.lastPass = json.get("last_pass");
            for (Iterator<Map.Entry<String, JsonNode>> it = json.path("parcels").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                dropped += state.remember(e.getKey(), e.getValue().asText()) ? 0 : 1;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = json.path("refused").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                dropped += state.rememberRefusal(e.getKey(), Refusal.of(e.getValue())) ? 0 : 1;
            }
        } catch (NoSuchFileException none) {
            // first pass
        } catch (IOException | UnsafePathException damaged) {
            throw new IOException("the pull state '" + shown + "' is damaged (" + damaged.getMessage()
                    + "): remove it, and the next pass fetches every parcel again", damaged);
        }
        dropped += state.replayJournal();
        if (dropped > 0) {
            LOG.warn("pull: {} entries of '{}' had a name or etag a catalog may not list, and were left out (fetched again if"
                    + " still listed)", dropped, shown);
        }
        return state;
    }

    /** Adds the parcels the journal recorded since {@code state.json} was written; returns how many it left out. */
    private int replayJournal() throws IOException {
        if (dir.stat(JOURNAL).map(a -> !a.isRegularFile()).orElse(true)) {
            return 0; // none, or not Caravan's own: replaced at the next record
        }
        byte[] lines;
        try {
            lines = dir.readSmall(JOURNAL, MAX_BYTES);
        } catch (IOException | UnsafePathException unreadable) {
            LOG.warn("pull: '{}' cannot be read ({}): the parcels it recorded are fetched again",
                    ConfinedDir.join(dir.display(), JOURNAL), unreadable.getMessage());
            return 0;
        }
        journalBytes = lines.length;
        int dropped = 0;
        for (String line : new String(lines, StandardCharsets.UTF_8).split("\n")) {
            try {
                JsonNode entry = JSON.readTree(line);
                if (entry != null && entry.path("name").isTextual() && entry.path("reason").isTextual()) {
                    dropped += rememberRefusal(entry.get("name").asText(), Refusal.of(entry)) ? 0 : 1;
                } else if (entry != null && entry.path("name").isTextual() && entry.path("etag").isTextual()) {
                    dropped += remember(entry.get("name").asText(), entry.get("etag").asText()) ? 0 : 1;
                }
            } catch (IOException torn) {
                // a line cut by a crash: that parcel is fetched again
            }
        }
        return dropped;
    }

    /** The etag fetched last for {@code name}, or null. */
    public String etag(String name) {
        return fetched.get(name);
    }

    /** The state of {@code name} refused last, or null: none, or it was fetched since. */
    public Refusal refusal(String name) {
        return refused.get(name);
    }

    /** How many refusals are remembered. */
    int refusals() {
        return refused.size();
    }

    public String from() {
        return from;
    }

    /** How many parcels are remembered. */
    int size() {
        return fetched.size();
    }

    /**
     * Records {@code name} as fetched in state {@code etag}, from {@code url}: remembered, and appended to the
     * journal (the state file is rewritten only once the journal outgrows it). A name or etag a catalog may
     * not list is refused with an {@link IllegalArgumentException}.
     */
    public void fetched(String url, String name, String etag) throws IOException {
        if (!remember(name, etag)) {
            throw new IllegalArgumentException("'" + NameRules.shortened(name) + "' cannot be recorded: "
                    + (NameRules.problem(name) != null ? NameRules.problem(name) : CatalogClient.etagProblem(etag)));
        }
        if (from != null && !from.equals(url)) {
            from = url;
            write(null);
            return;
        }
        from = url;
        append(JSON.createObjectNode().put("name", name).put("etag", etag));
    }

    /**
     * Records {@code name} as refused in the state and for the reason {@code refusal} tells, from {@code url}:
     * remembered (its reason cut to {@link #MAX_REASON} characters), and appended to the journal. A name or etag a
     * catalog may not list is refused with an {@link IllegalArgumentException}.
     */
    public void refused(String url, String name, Refusal refusal) throws IOException {
        Refusal kept = refusal.cut();
        if (!rememberRefusal(name, kept)) {
            throw new IllegalArgumentException("'" + NameRules.shortened(name) + "' cannot be recorded: "
                    + (NameRules.problem(name) != null ? NameRules.problem(name) : CatalogClient.etagProblem(kept.etag())));
        }
        if (from != null && !from.equals(url)) {
            from = url;
            write(null);
            return;
        }
        from = url;
        append(kept.toJson(JSON.createObjectNode().put("name", name)));
    }

    /** Appends {@code line} to the journal, which is folded into the state once it outgrows it. */
    private void append(ObjectNode line) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = dir.appendOwn(JOURNAL, removed -> LOG.warn("pull: {}", removed))) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (UnsafePathException e) {
            throw new IOException(e.getMessage(), e);
        }
        journalBytes += bytes.length;
        if (journalBytes > Math.max(JOURNAL_FOLD, heldBytes)) {
            write(null);
        }
    }

    /** Writes the state with the summary of a finished pass. */
    public void passFinished(String url, Instant at, int fetchedNow, int failed) throws IOException {
        passFinished(url, at, fetchedNow, failed, 0);
    }

    /** Writes the state with the summary of a finished pass, which held back {@code refusedNow} parcels listed as refused. */
    public void passFinished(String url, Instant at, int fetchedNow, int failed, int refusedNow) throws IOException {
        from = url;
        ObjectNode pass = JSON.createObjectNode();
        pass.put("finished_at", at.toString());
        pass.put("fetched", fetchedNow);
        pass.put("failed", failed);
        pass.put("refused", refusedNow);
        write(pass);
        if (forgotten > 0) {
            LOG.warn("pull: the state remembers the {} parcels fetched last (at most {} parcels and {} bytes of names and"
                    + " etags); {} fetched longer ago were forgotten and are fetched again if still listed: pull narrower"
                    + " prefixes (caravan.pull.prefix)", fetched.size(), maxParcels, maxHeldBytes, forgotten);
            forgotten = 0;
        }
    }

    /** Keeps {@code name} at {@code etag} as the parcel fetched last, the oldest forgotten past the bounds; false if refused. */
    private boolean remember(String name, String etag) {
        if (NameRules.problem(name) != null || CatalogClient.etagProblem(etag) != null) {
            return false;
        }
        String before = fetched.remove(name);
        if (before != null) {
            heldBytes -= cost(name, before);
        }
        refused.remove(name);
        fetched.put(name, etag);
        heldBytes += cost(name, etag);
        for (Iterator<Map.Entry<String, String>> oldest = fetched.entrySet().iterator();
             fetched.size() > 1 && (fetched.size() > maxParcels || heldBytes > maxHeldBytes); ) {
            Map.Entry<String, String> gone = oldest.next();
            heldBytes -= cost(gone.getKey(), gone.getValue());
            oldest.remove();
            forgotten++;
        }
        return true;
    }

    /** Keeps {@code refusal} of {@code name} as the one refused last, the oldest forgotten past the bound; false if refused. */
    private boolean rememberRefusal(String name, Refusal refusal) {
        if (refusal == null || NameRules.problem(name) != null || CatalogClient.etagProblem(refusal.etag()) != null) {
            return false;
        }
        refused.remove(name);
        refused.put(name, refusal.cut());
        return true;
    }

    private static long cost(String name, String etag) {
        return NameRules.utf8Length(name) + etag.length() + ENTRY_OVERHEAD;
    }

    /** Writes {@code state.json} whole, streamed (never built in memory), then removes the journal it holds. */
    private void write(ObjectNode pass) throws IOException {
        if (pass != null) {
            lastPass = pass;
        }
        dir.replace(FILE, out -> {
            try (JsonGenerator json = JSON.getFactory().createGenerator(new java.io.BufferedOutputStream(out, 64 * 1024))) {
                json.useDefaultPrettyPrinter();
                json.writeStartObject();
                json.writeStringField("from", from);
                json.writeObjectFieldStart("parcels");
                for (Map.Entry<String, String> parcel : fetched.entrySet()) {
                    json.writeStringField(parcel.getKey(), parcel.getValue());
                }
                json.writeEndObject();
                json.writeObjectFieldStart("refused");
                for (Map.Entry<String, Refusal> parcel : refused.entrySet()) {
                    json.writeFieldName(parcel.getKey());
                    JSON.writeTree(json, parcel.getValue().toJson(JSON.createObjectNode()));
                }
                json.writeEndObject();
                if (lastPass != null) {
                    json.writeFieldName("last_pass");
                    JSON.writeTree(json, lastPass);
                }
                json.writeEndObject();
            }
        });
        if (dir.stat(JOURNAL).map(a -> !a.isDirectory()).orElse(false)) {
            dir.delete(JOURNAL);
        }
        journalBytes = 0;
    }
}
