package io.caravan.sender;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Remembers where a send of a source under a remote name was published (per receiver), so running
 * the same command again updates that entry instead of going into it: {@code send tree album}
 * publishes {@code album} the first time, and {@code album} again (not {@code album/tree}) the next,
 * although {@code album} then names an existing folder. Small JSON files written by rename.
 */
public final class PublishedPlaces {

    /** Where one source went. */
    public record Place(@JsonProperty("source") String source, @JsonProperty("url") String url,
                        @JsonProperty("name") String name, @JsonProperty("path") String path) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public PublishedPlaces(Path dir) {
        this.dir = dir;
    }

    /** The path the last send of {@code source} as {@code name} to {@code url} was published at, if known. */
    public Optional<String> find(Path source, String url, String name) {
        Path file = file(source, url, name);
        try {
            return Files.isRegularFile(file) ? Optional.ofNullable(JSON.readValue(file.toFile(), Place.class).path())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // unreadable: decide from the name as the first send did
        }
    }

    public void record(Path source, String url, String name, String path) throws IOException {
        Files.createDirectories(dir);
        Path file = file(source, url, name);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(new Place(source.toAbsolutePath().normalize().toString(), url, name, path)),
                StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Path file(Path source, String url, String name) {
        byte[] key = (source.toAbsolutePath().normalize() + "\n" + url + "\n" + name).getBytes(StandardCharsets.UTF_8);
        return dir.resolve(Sha256.of(key, 0, key.length).substring(0, 32) + ".json");
    }
}
