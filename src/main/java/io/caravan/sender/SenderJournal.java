package io.caravan.sender;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Remembers, per parcel (source path + receiver + name), the session it is being uploaded in, the
 * content hashes it sends as references and the options the session was started with, so a restarted
 * sender resumes the same session with the same chunk stream, and only when it is started the same way
 * but for the publish options that its finish gives again ({@code on_conflict}, {@code force}). Entries
 * are small JSON files written by rename; removed after finish.
 */
public final class SenderJournal {

    /**
     * One parcel in flight; {@code options}: the publish options its session was started with beyond
     * the packing (e.g. {@code on_conflict}, {@code force}, a mirror's {@code mode}), null in an entry
     * written before they were recorded.
     */
    public record Entry(@JsonProperty("source") String source, @JsonProperty("url") String url,
                        @JsonProperty("name") String name, @JsonProperty("session_id") String sessionId,
                        @JsonProperty("references") List<String> references, @JsonProperty("options") JsonNode options) {

        /** An entry of a session started with {@code options}. */
        public Entry(String source, String url, String name, String sessionId, List<String> references,
                     Map<String, ?> options) {
            this(source, url, name, sessionId, references, asJson(options));
        }

        /**
         * Whether the session can publish the parcel with these options: it was started with the same ones but
         * for those its finish gives again ({@link #FINISH_OPTIONS}); never for an entry that did not record
         * them (its session may have been started with any).
         */
        public boolean servesOptions(Map<String, ?> options) {
            return this.options != null && withoutFinishOptions(this.options).equals(withoutFinishOptions(asJson(options)));
        }
    }

    /** The publish options a finish gives again (the receiver's {@code POST /finish?on_conflict=&force=}). */
    public static final List<String> FINISH_OPTIONS = List.of("on_conflict", "force");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public SenderJournal(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    public Optional<Entry> find(Path source, String url, String name) throws IOException {
        Path file = file(source, url, name);
        return Files.isRegularFile(file) ? Optional.of(JSON.readValue(file.toFile(), Entry.class)) : Optional.empty();
    }

    public void record(Path source, Entry entry) throws IOException {
        Path file = file(source, entry.url(), entry.name());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(entry), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public void remove(Path source, String url, String name) throws IOException {
        Files.deleteIfExists(file(source, url, name));
    }

    /** Every parcel the journal records as in flight (files that cannot be read are skipped). */
    public List<Entry> entries() throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    entries.add(JSON.readValue(file.toFile(), Entry.class));
                } catch (IOException e) {
                    // removed meanwhile, or not a journal entry
                }
            }
        }
        return entries;
    }

    /**
     * The options as read back from the journal, so that equal options compare equal whatever their Java
     * types; a flag given as false ({@code into}, {@code force}) is left out, as a session started
     * without it publishes the same way.
     */
    private static JsonNode asJson(Map<String, ?> options) {
        try {
            JsonNode json = JSON.readTree(JSON.writeValueAsString(options));
            if (json instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
                for (String flag : java.util.List.of("into", "force")) {
                    if (object.path(flag).isBoolean() && !object.path(flag).booleanValue()) {
                        object.remove(flag);
                    }
                }
            }
            return json;
        } catch (IOException e) {
            throw new IllegalArgumentException("publish options that are not JSON: " + options, e);
        }
    }

    private static JsonNode withoutFinishOptions(JsonNode options) {
        if (!(options instanceof com.fasterxml.jackson.databind.node.ObjectNode object)) {
            return options;
        }
        com.fasterxml.jackson.databind.node.ObjectNode rest = object.deepCopy();
        rest.remove(FINISH_OPTIONS);
        return rest;
    }

    private Path file(Path source, String url, String name) {
        byte[] key = (source.toAbsolutePath().normalize() + "\n" + url + "\n" + name).getBytes(StandardCharsets.UTF_8);
        return dir.resolve(Sha256.of(key, 0, key.length).substring(0, 32) + ".json");
    }
}
