package io.caravan.download;

import static io.caravan.HandPackedParcel.manifest;
import static io.caravan.HandPackedParcel.manyFiles;
import static io.caravan.HandPackedParcel.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.HandPackedParcel;
import io.caravan.pack.Manifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose tar.zst expands to far more than its manifest declares, or to more than
 * {@code --max-expansion} bytes per compressed byte: {@code caravan get} stops, names the parcel, what
 * the manifest declared and what arrived, exits 1 and leaves nothing behind. A manifest that tells the
 * truth about a parcel of zeros passes with {@code --max-expansion 0}.
 */
class ExpansionBombTest {

    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    @Test
    void anArchiveLargerThanTheManifestDeclaresIsRefused() throws Exception {
        byte[] stream = zeros("bomb", 50 * MIB);

        CliRunner.Result get = refused(manifest("bomb", stream, 10L, 10L), stream);

        assertThat(get.err()).contains("'bomb'").contains("declares 10 content bytes in 10 entries")
                .contains("at entry 'bomb/zeros'").contains(String.valueOf(50 * MIB)).contains("nothing was kept");
    }

    @Test
    void moreEntriesThanTheManifestDeclaresAreRefused() throws Exception {
        byte[] stream = manyFiles("bomb", 200);

        CliRunner.Result get = refused(manifest("bomb", stream, 3L, 0L), stream);

        assertThat(get.err()).contains("'bomb'").contains("declares 0 content bytes in 3 entries")
                .contains("more than 3 entries").contains("nothing was kept");
    }

    @Test
    void aTruthfulParcelThatExpandsBeyondMaxExpansionIsRefused() throws Exception {
        byte[] stream = zeros("zeros", 80 * MIB);
        assertThat((long) stream.length).as("compressed size").isLessThan(80 * MIB / 1000);

        CliRunner.Result get = refused(manifest("zeros", stream, 2L, 80 * MIB), stream);

        assertThat(get.err()).contains("'zeros'").contains("more than 1000 bytes per compressed byte")
                .contains("--max-expansion").contains("nothing was kept");
    }

    @Test
    void maxExpansionZeroLetsATruthfulParcelOfZerosThrough() throws Exception {
        byte[] stream = zeros("zeros", 80 * MIB);
        Path local = Files.createDirectories(tmp.resolve("local"));

        CliRunner.Result get;
        try (CraftedCatalog server = serving(manifest("zeros", stream, 2L, 80 * MIB), stream)) {
            get = CliRunner.run("get", "zeros", local.toString(), "--to", server.url(), "--max-expansion", "0", "-q");
        }

        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(Files.size(local.resolve("zeros/zeros"))).isEqualTo(80 * MIB);
    }

    @Test
    void aNegativeMaxExpansionIsRefusedBeforeAnythingIsFetched() {
        CliRunner.Result get = CliRunner.run("get", "zeros", tmp.resolve("local").toString(), "--to", "http://127.0.0.1:9",
                "--max-expansion", "-1", "-q");

        assertThat(get.exitCode()).isNotZero();
        assertThat(get.err()).contains("--max-expansion").contains("at least 0");
        assertThat(tmp.resolve("local")).doesNotExist();
    }

    /** Runs caravan get against a server of {@code manifest} and {@code stream}: it must fail and leave only the empty local folder. */
    private CliRunner.Result refused(Manifest manifest, byte[] stream) throws Exception {
        Path local = Files.createDirectories(tmp.resolve("home/local"));
        CliRunner.Result get;
        try (CraftedCatalog server = serving(manifest, stream)) {
            get = CliRunner.run("get", manifest.name(), local.toString(), "--to", server.url(), "-q");
        }
        assertThat(get.exitCode()).as(get.err()).isEqualTo(1);
        HostileServerTest.assertNothingLeft(tmp);
        return get;
    }

    private static CraftedCatalog serving(Manifest manifest, byte[] stream) throws IOException {
        byte[] json = manifest.toJson().getBytes(StandardCharsets.UTF_8);
        return new CraftedCatalog(Map.of(
                "/parcels/manifest", exchange -> CraftedCatalog.answer(exchange, json),
                "/parcels/chunks/", exchange -> {
                    String path = exchange.getRequestURI().getPath();
                    int index = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
                    CraftedCatalog.answer(exchange, HandPackedParcel.chunk(stream, index));
                }));
    }
}
