package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.Versions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /mirror} written while the mirror is walked: the answer's JSON is the one a sender
 * reads ({@code name}, {@code entries} with path, type, size, mtime, mode, target and with checksums
 * sha256), a mirror not there yet has no entries, and the walk gives its entries one by one.
 */
class MirrorListingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path inbox;

    @Test
    void listsEveryEntryAsTheSenderReadsIt() throws Exception {
        Path mirror = Files.createDirectories(inbox.resolve("site/docs"));
        Files.writeString(mirror.resolve("a.txt"), "abc");
        Files.createSymbolicLink(mirror.resolve("link"), Path.of("a.txt"));
        Mirrors mirrors = new Mirrors(inbox, new Versions(inbox.resolve(".versions"), java.time.Duration.ofDays(1), java.time.Clock.systemUTC()));

        JsonNode answer = answer(mirrors, "site", true);
        assertThat(answer.get("name").asText()).isEqualTo("site");
        assertThat(answer.fieldNames()).toIterable().containsExactly("name", "entries");
        List<String> paths = answer.get("entries").findValuesAsText("path");
        assertThat(paths).containsExactlyInAnyOrder("docs", "docs/a.txt", "docs/link");
        for (JsonNode entry : answer.get("entries")) {
            switch (entry.get("type").asText()) {
                case "file" -> {
                    assertThat(entry.get("size").asLong()).isEqualTo(3);
                    assertThat(entry.get("sha256").asText())
                            .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
                    assertThat(entry.has("mtime") && entry.has("mode")).isTrue();
                }
                case "link" -> assertThat(entry.get("target").asText()).isEqualTo("a.txt");
                default -> assertThat(entry.get("size").asLong()).isZero();
            }
        }
        assertThat(answer(mirrors, "site", false).get("entries").findValues("sha256")).isEmpty();
    }

    @Test
    void aMirrorNotThereYetHasNoEntries() throws Exception {
        Mirrors mirrors = new Mirrors(inbox, new Versions(inbox.resolve(".versions"), java.time.Duration.ofDays(1), java.time.Clock.systemUTC()));
        assertThat(new String(bytes(mirrors, "new", false), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"new\",\"entries\":[]}");
    }

    @Test
    void theWalkGivesEntriesOneByOne() throws Exception {
        Path mirror = Files.createDirectories(inbox.resolve("big"));
        for (int i = 0; i < 500; i++) {
            Files.createFile(mirror.resolve("f" + i));
        }
        List<String> seen = new ArrayList<>();
        MirrorListing.walk(mirror, false, entry -> seen.add(entry.path()));
        assertThat(seen).hasSize(500);
    }

    private static JsonNode answer(Mirrors mirrors, String name, boolean checksum) throws Exception {
        return JSON.readTree(bytes(mirrors, name, checksum));
    }

    private static byte[] bytes(Mirrors mirrors, String name, boolean checksum) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MirrorListing listing = mirrors.listing(name, checksum)) {
            listing.write(out);
        }
        return out.toByteArray();
    }
}
