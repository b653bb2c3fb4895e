package io.caravan.route;

import io.caravan.route.send.ParcelSplitter;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CaravanHeaders;
import io.caravan.TestTrees;
import io.caravan.pack.Manifest;
import io.caravan.progress.ProgressListener;
import io.caravan.pack.PartFiles;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.Unpacker;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Camel route streams a parcel through a splitter as chunk messages and a step in between sees
 * each one; written out as a part set, the messages unpack (each part verified) into the source tree.
 */
class ChunkSplitRouteTest {

    @TempDir
    Path tmp;

    @Test
    void splitterStreamsChunkMessagesWithHeadersIntoASink() throws Exception {
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "tree");
        Path dest = tmp.resolve("dest");
        List<Map<String, Object>> seen = new ArrayList<>();
        ParcelSplitter splitter = new ParcelSplitter();
        splitter.setCodec("xz");
        splitter.setChunkSize("32KiB");

        Path prefix = Files.createDirectories(tmp.resolve("parts")).resolve("tree");

        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:parcel").routeId("test-split")
                            .split().method(splitter, "split").streaming().stopOnException()
                                .process(e -> seen.add(Map.copyOf(e.getMessage().getHeaders())))
                                .process(e -> writePart(prefix, e))
                            .end();
                }
            });
            camel.start();
            camel.createProducerTemplate().sendBody("direct:parcel", source.toFile());

            Map<String, Object> last = seen.get(seen.size() - 1);
            assertThat(last).containsEntry(CaravanHeaders.LAST_CHUNK, true).containsKey(CaravanHeaders.MANIFEST);
            Manifest manifest = Manifest.fromJson((String) last.get(CaravanHeaders.MANIFEST));
            assertThat(manifest.codec()).isEqualTo("xz");
            assertThat(manifest.totalChunks()).isEqualTo(seen.size()).isGreaterThan(2);
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).containsEntry(CaravanHeaders.CHUNK_INDEX, i)
                        .containsEntry(CaravanHeaders.PARCEL, "tree")
                        .containsEntry(CaravanHeaders.CHUNK_SHA256, manifest.chunks().get(i).checksum())
                        .containsEntry(CaravanHeaders.CHUNK_SIZE, (int) manifest.chunks().get(i).size())
                        .containsEntry(CaravanHeaders.LAST_CHUNK, i == seen.size() - 1);
            }
            manifest.write(PartFiles.manifest(prefix));
            new Unpacker(UnpackOptions.DEFAULT, ProgressListener.NONE).unpackParts(prefix, dest);
        }
        assertThat(TreeSnapshot.of(source).differences(TreeSnapshot.of(dest.resolve("tree")))).isEmpty();
    }

    /**
     * A FIFO inside a dropped folder is skipped (only files, folders and links travel) with a warning in the log
     * that names it and the parcel, as {@code caravan pack} prints one: the outbox route said nothing.
     */
    @Test
    void aSpecialFileInsideTheParcelIsSkippedWithAWarningNamingIt() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/dropped"));
        TestTrees.write(source.resolve("plain.txt"), "plain\n");
        Path fifo = source.resolve("pipe");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        ParcelSplitter splitter = new ParcelSplitter();
        splitter.setCodec("zstd");
        splitter.setChunkSize("32KiB");
        try (io.caravan.LoggedWarnings warnings = new io.caravan.LoggedWarnings(); CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:parcel").split().method(splitter, "split").streaming().stopOnException().to("mock:chunks").end();
                }
            });
            camel.start();
            camel.createProducerTemplate().sendBody("direct:parcel", source.toFile());

            assertThat(warnings.containing("pipe")).singleElement().asString().contains("parcel 'dropped'")
                    .contains("skipped special file").contains("FIFO");
        }
    }

    /** Writes a chunk message's body as the part file of its index. */
    private static void writePart(Path prefix, Exchange exchange) throws Exception {
        Files.write(PartFiles.part(prefix, exchange.getMessage().getHeader(CaravanHeaders.CHUNK_INDEX, Integer.class)),
                exchange.getMessage().getBody(byte[].class));
    }
}
