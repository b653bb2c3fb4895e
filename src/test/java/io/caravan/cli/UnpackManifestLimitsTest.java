package io.caravan.cli;

import static io.caravan.HandPackedParcel.manifest;
import static io.caravan.HandPackedParcel.manyFiles;
import static io.caravan.HandPackedParcel.writeParts;
import static io.caravan.HandPackedParcel.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.pack.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack} of a part set keeps the bounds {@code caravan get} keeps: its verified stream may
 * unpack to no more entries and content bytes than its manifest declares, nor to more than
 * {@code --max-expansion} bytes per compressed byte. A refusal names the parts, the manifest's numbers and
 * what arrived, exits 1 and publishes nothing (the staging folder is removed); {@code --max-expansion 0}
 * lets a truthful parcel of zeros through.
 */
class UnpackManifestLimitsTest {

    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    @Test
    void moreEntriesThanTheManifestDeclaresAreRefused() throws Exception {
        byte[] stream = manyFiles("many", 200);

        CliRunner.Result unpack = refused(manifest("many", stream, 3L, 100L), stream);

        assertThat(unpack.err()).contains(tmp.resolve("parts/many") + ".part0000")
                .contains("declares 100 content bytes in 3 entries").contains("more than 3 entries")
                .contains("nothing was published").contains("pack the parcel again");
    }

    @Test
    void moreContentBytesThanTheManifestDeclaresAreRefused() throws Exception {
        byte[] stream = zeros("big", 5 * MIB);

        CliRunner.Result unpack = refused(manifest("big", stream, 3L, 100L), stream);

        assertThat(unpack.err()).contains(tmp.resolve("parts/big") + ".part0000")
                .contains("declares 100 content bytes in 3 entries").contains(5 * MIB + " content bytes at entry 'big/zeros'")
                .contains("nothing was published");
    }

    @Test
    void aTruthfulParcelThatExpandsBeyondMaxExpansionIsRefused() throws Exception {
        byte[] stream = zeros("zeros", 80 * MIB);
        assertThat((long) stream.length).as("compressed size").isLessThan(80 * MIB / 1000);

        CliRunner.Result unpack = refused(manifest("zeros", stream, 2L, 80 * MIB), stream);

        assertThat(unpack.err()).contains(tmp.resolve("parts/zeros") + ".part0000")
                .contains("more than 1000 bytes per compressed byte").contains("caravan unpack --max-expansion")
                .contains("nothing was published");
    }

    @Test
    void maxExpansionZeroLetsATruthfulParcelOfZerosThrough() throws Exception {
        byte[] stream = zeros("zeros", 80 * MIB);
        Path prefix = Files.createDirectories(tmp.resolve("parts")).resolve("zeros");
        writeParts(prefix, manifest("zeros", stream, 2L, 80 * MIB), stream);
        Path dest = tmp.resolve("dest");

        CliRunner.Result unpack = CliRunner.run("unpack", prefix.toString(), dest.toString(), "--max-expansion", "0", "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        assertThat(Files.size(dest.resolve("zeros/zeros"))).isEqualTo(80 * MIB);
    }

    @Test
    void aNegativeMaxExpansionIsRefusedBeforeAnythingIsRead() {
        CliRunner.Result unpack = CliRunner.run("unpack", tmp.resolve("none").toString(), tmp.resolve("dest").toString(),
                "--max-expansion", "-1", "-q");

        assertThat(unpack.exitCode()).isNotZero();
        assertThat(unpack.err()).contains("--max-expansion").contains("at least 0");
        assertThat(tmp.resolve("dest")).doesNotExist();
    }

    /** Unpacks the part set of {@code manifest} and {@code stream}: it must fail and leave the destination empty. */
    private CliRunner.Result refused(Manifest manifest, byte[] stream) throws Exception {
        Path prefix = Files.createDirectories(tmp.resolve("parts")).resolve(manifest.name());
        writeParts(prefix, manifest, stream);
        Path dest = Files.createDirectories(tmp.resolve("dest"));

        CliRunner.Result unpack = CliRunner.run("unpack", prefix.toString(), dest.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        try (Stream<Path> left = Files.list(dest)) {
            assertThat(left.toList()).as("nothing published, the staging folder removed").isEmpty();
        }
        return unpack;
    }
}
