package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.CraftedTar;
import io.caravan.HandPackedParcel;
import io.caravan.WideWindowStreams;
import io.caravan.pack.Manifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A served parcel whose xz header asks for a 512 MiB dictionary, more than half this JVM's heap: {@code caravan
 * get} refuses it as a decoder limit, naming the dictionary and the limit, exits 1 and keeps nothing; never a
 * damaged archive to send again.
 */
class GetDecoderMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void aDictionaryAboveTheLimitIsRefusedNamingIt() throws Exception {
        byte[] stream = WideWindowStreams.xz(new CraftedTar().dir("wide").file("wide/a.txt").bytes(), 34);
        assertThat(WideWindowStreams.xzDictionary(34)).isEqualTo(512L << 20);
        Manifest xz = HandPackedParcel.manifest("wide", "xz", stream);
        byte[] json = xz.toJson().getBytes(StandardCharsets.UTF_8);
        Path local = Files.createDirectories(tmp.resolve("home/local"));
        CliRunner.Result get;
        try (CraftedCatalog server = new CraftedCatalog(Map.of(
                "/parcels/manifest", exchange -> CraftedCatalog.answer(exchange, json),
                "/parcels/chunks/", exchange -> {
                    String path = exchange.getRequestURI().getPath();
                    CraftedCatalog.answer(exchange, HandPackedParcel.chunk(stream, Integer.parseInt(path.substring(path.lastIndexOf('/') + 1))));
                }))) {
            get = CliRunner.run("get", "wide", local.toString(), "--to", server.url(), "-q");
        }
        assertThat(get.exitCode()).as(get.err()).isEqualTo(1);
        assertThat(get.err()).contains("xz stream asks for 512 MiB").contains("limit of").contains("larger heap")
                .doesNotContain("send the parcel again").doesNotContain("not a complete archive");
        HostileServerTest.assertNothingLeft(tmp);
    }
}
