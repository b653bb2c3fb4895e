package io.caravan.sender;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Remembers, per parcel (source path + receiver + name), the session it is being uploaded in and
 * the content hashes it sends as references, so a restarted sender resumes the same session with
 * the same chunk stream. Entries are small JSON files written by rename; removed after finish.
 */
public final class SenderJournal {

    /** One parcel in flight. */
    public record Entry(@JsonProperty("source") String source, @JsonProperty("url") String url,
                        @JsonProperty("name") String name, @JsonProperty("session_id") String sessionId,
                        @JsonProperty("references") List<String> references) {
    }

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

    private Path file(Path source, String url, String name) {
        byte[] key = (source.toAbsolutePath().normalize() + "\n" + url + "\n" + name).getBytes(StandardCharsets.UTF_8);
        return dir.resolve(Sha256.of(key, 0, key.length).substring(0, 32) + ".json");
    }
}
