package io.caravan.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CaravanException;
import io.caravan.pack.Manifest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the manifest parser with mutations of a valid manifest and with arbitrary text: it either
 * yields a manifest whose numbers agree with its chunk list, or refuses with a {@link CaravanException}
 * (a 4xx with a message), never with another exception (a 500).
 */
class ManifestParserProperties {

    private static final String VALID = "{\"version\":\"1.0\",\"format\":\"caravan/1\",\"name\":\"r\",\"codec\":\"zstd\","
            + "\"level\":3,\"chunk_size\":4,\"total_chunks\":2,\"total_size\":6,"
            + "\"sha256\":\"" + "a".repeat(64) + "\",\"chunks\":[{\"index\":0,\"size\":4,\"checksum\":\"" + "b".repeat(64)
            + "\"},{\"index\":1,\"size\":2,\"checksum\":\"" + "c".repeat(64) + "\"}]}";

    @Provide
    Arbitrary<String> manifests() {
        Arbitrary<String> replacement = Arbitraries.of("-1", "0", "99999999999999999999", "null", "\"x\"", "[]", "{}",
                "1e309", "2147483648", "true", "\"../../etc\"", "\"\\u0000\"", "1.5");
        Arbitrary<String> mutated = Arbitraries.integers().between(0, VALID.length() - 1).flatMap(at ->
                Arbitraries.integers().between(0, 12).flatMap(cut -> replacement.map(r ->
                        VALID.substring(0, at) + r + VALID.substring(Math.min(VALID.length(), at + cut)))));
        return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(200), Arbitraries.just(VALID));
    }

    @Property(tries = 3000, seed = "1109")
    void parsesOrRefusesClearly(@ForAll("manifests") String json) {
        Manifest manifest;
        try {
            manifest = Manifest.fromJson(json).validate();
        } catch (CaravanException refused) {
            assertThat(refused.httpStatus()).isBetween(400, 499);
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(manifest.chunks()).hasSize(manifest.totalChunks());
        long sum = manifest.chunks().stream().mapToLong(c -> c.size()).sum();
        assertThat(sum).isEqualTo(manifest.totalSize());
        for (int i = 0; i < manifest.chunks().size(); i++) {
            assertThat(manifest.chunks().get(i).index()).isEqualTo(i);
            assertThat(manifest.chunks().get(i).size()).isPositive();
        }
    }
}
