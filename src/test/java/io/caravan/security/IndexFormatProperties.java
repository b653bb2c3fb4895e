package io.caravan.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.dedup.DedupIndex;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the dedup index's format: whatever names published files have (newlines, tabs, quotes,
 * backslashes, Unicode, JSON look-alikes) and whatever garbage a crash or an attacker appends to its
 * log, the index opens again, maps every hash to exactly the file it was recorded for, and never to
 * anything else.
 */
class IndexFormatProperties {

    @Provide
    Arbitrary<List<String>> names() {
        Arbitrary<String> name = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0001', '\u007e').ofMinLength(1).ofMaxLength(12),
                Arbitraries.of("a\nb", "t\tab", "q\"uote", "back\\slash", "日本語", "{\"op\":\"index\"}", "x\r\ny", "..x"));
        return name.filter(n -> !n.contains("/") && !n.equals(".") && !n.equals("..") && !n.startsWith(".caravan"))
                .list().ofMinSize(1).ofMaxSize(5).uniqueElements();
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.of("{\"op\":\"index\",\"path\":\"/etc/passwd\",\"sha256\":\"" + "a".repeat(64) + "\"}\n",
                        "{\"op\":\"index\",\"path\":\"../outside\"}\n", "\n\n{", "{\"op\":\"forget\"}\n")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = 150, seed = "1104")
    void theIndexMapsEachHashToItsOwnFileWhateverTheNamesAndGarbage(@ForAll("names") List<String> names,
                                                                      @ForAll("garbage") byte[] garbage) throws IOException {
        Path tmp = Files.createTempDirectory("caravan-index");
        try {
            Path inbox = Files.createDirectories(tmp.resolve("inbox"));
            Path log = Files.createDirectories(inbox.resolve(".caravan")).resolve("dedup.jsonl");
            Map<String, Path> byHash = new LinkedHashMap<>();
            List<Map.Entry<Path, String>> records = new ArrayList<>();
            for (String name : names) {
                Path file = inbox.resolve(name);
                Files.writeString(file, "content of " + name);
                String sha = Sha256.of(Files.readAllBytes(file), 0, (int) Files.size(file));
                byHash.put(sha, file);
                records.add(Map.entry(file, sha));
            }
            try (DedupIndex index = new DedupIndex(inbox, log)) {
                index.record(records);
            }
            Files.write(log, garbage, StandardOpenOption.APPEND);
            try (DedupIndex reopened = new DedupIndex(inbox, log)) {
                for (Map.Entry<String, Path> e : byHash.entrySet()) {
                    assertThat(reopened.find(e.getKey())).as("hash of %s", e.getValue()).hasValueSatisfying(
                            found -> assertThat(inbox.resolve(found.path())).isEqualTo(e.getValue()));
                }
                assertThat(reopened.find("a".repeat(64))).as("an injected entry").isEmpty();
            }
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
