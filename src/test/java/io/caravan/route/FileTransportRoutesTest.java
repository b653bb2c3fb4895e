package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.HandPackedParcel;
import io.caravan.TestTrees;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.util.Sha256;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file transport's YAML routes in process, as {@code caravan run --transport file} builds them:
 * outbox-pickup hands a dropped folder to ship-file, which writes a part set (parts, then the
 * manifest) into the sender's parts folder; carried into the receiver's parts folder, parts-pickup
 * verifies it, publishes it in the inbox and removes it, or, when a part was damaged on the way or the
 * set holds more than its manifest declares, moves its manifest to {@code .failed/} and publishes nothing.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:application.properties")
class FileTransportRoutesTest {

    @TempDir
    Path tmp;
    @BeanInject
    CamelContext context;

    @Configure
    void configure(MainConfigurationProperties configuration) {
        YamlRoutes.configure(configuration, Map.of(
                "caravan.role", "both",
                "caravan.sender.transport", "file",
                "caravan.sender.outbox", tmp.resolve("outbox").toString(),
                "caravan.sender.state-dir", tmp.resolve("state").toString(),
                "caravan.sender.parts-dir", tmp.resolve("outgoing").toString(),
                "caravan.sender.file-settle-time", "300",
                "caravan.sender.chunk-size", "64KiB",
                "caravan.receiver.parts-dir", tmp.resolve("incoming").toString(),
                "caravan.receiver.inbox", tmp.resolve("inbox").toString()), "outbox", "ship-file", "parts-pickup");
    }

    @Test
    void aDroppedFolderBecomesAPartSetThatMatchesItsManifest() throws Exception {
        Path site = site("site");
        Path prefix = shipToParts(site);

        Manifest manifest = Manifest.read(PartFiles.manifest(prefix));
        assertThat(manifest.name()).isEqualTo("site");
        assertThat(manifest.totalChunks()).as("several 64 KiB parts").isGreaterThan(2);
        List<String> expected = new ArrayList<>();
        for (ChunkInfo chunk : manifest.chunks()) {
            Path part = PartFiles.part(prefix, chunk.index());
            expected.add(part.getFileName().toString());
            assertThat(Files.size(part)).as("size of %s", part.getFileName()).isEqualTo(chunk.size());
            assertThat(sha256(part)).as("hash of %s", part.getFileName()).isEqualTo(chunk.checksum());
        }
        expected.add(PartFiles.manifest(prefix).getFileName().toString());
        assertThat(entries(prefix.getParent())).as("the part set and nothing else (no temporary files)")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(tmp.resolve("outbox/.sent/site")).isDirectory();
        assertThat(tmp.resolve("outbox/site")).doesNotExist();
    }

    @Test
    void thePartSetCarriedToTheReceiverIsPublishedAndRemoved() throws Exception {
        Path site = site("site");
        TreeSnapshot source = TreeSnapshot.of(site);
        Path prefix = shipToParts(site);
        NotifyBuilder picked = new NotifyBuilder(context).fromRoute("parts-pickup").whenCompleted(1).create();

        Path incoming = carry(prefix);

        assertThat(picked.matches(60, TimeUnit.SECONDS)).as("parts-pickup completed").isTrue();
        assertThat(source.differences(TreeSnapshot.of(tmp.resolve("inbox/site")))).as("published tree").isEmpty();
        // camel-file deletes the manifest as the exchange completes, which may be just after the notification
        await("the part set removed after the publish").atMost(Duration.ofSeconds(10)).until(() -> entries(incoming).isEmpty());
    }

    @Test
    void aPartSetWithADamagedPartIsMovedToFailedAndNothingIsPublished() throws Exception {
        Path prefix = shipToParts(site("site"));
        try (RandomAccessFile part = new RandomAccessFile(PartFiles.part(prefix, 1).toFile(), "rw")) {
            part.seek(10);
            int b = part.read();
            part.seek(10);
            part.write(b ^ 0xff);
        }

        assertFailsOnArrival(prefix);
    }

    @Test
    void aPartSetHoldingMoreEntriesThanItsManifestDeclaresIsMovedToFailedAndNothingIsPublished() throws Exception {
        byte[] stream = HandPackedParcel.manyFiles("many", 200);
        Path prefix = Files.createDirectories(tmp.resolve("outgoing")).resolve("many");
        HandPackedParcel.writeParts(prefix, HandPackedParcel.manifest("many", stream, 3L, 100L), stream);

        assertFailsOnArrival(prefix);
    }

    /** Carries the part set {@code prefix} to the receiver: parts-pickup moves its manifest to .failed and publishes nothing. */
    private void assertFailsOnArrival(Path prefix) throws Exception {
        NotifyBuilder picked = new NotifyBuilder(context).fromRoute("parts-pickup").whenDone(1).create();
        String name = prefix.getFileName().toString();

        Path incoming = carry(prefix);

        assertThat(picked.matches(60, TimeUnit.SECONDS)).as("parts-pickup done").isTrue();
        await("the manifest in .failed").atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(incoming.resolve(".failed/" + name + ".manifest.json")));
        assertThat(tmp.resolve("inbox").resolve(name)).doesNotExist();
    }

    /** A folder with a few files, spanning several 64 KiB parts. */
    private Path site(String name) throws IOException {
        Path site = Files.createDirectories(tmp.resolve("staging").resolve(name));
        TestTrees.random(site.resolve("bundle.bin"), 200_000, 9);
        TestTrees.write(Files.createDirectories(site.resolve("pages")).resolve("index.html"), "<h1>site</h1>\n");
        return site;
    }

    /** Drops the folder into the outbox with its marker; returns the prefix of the part set ship-file wrote. */
    private Path shipToParts(Path folder) throws Exception {
        NotifyBuilder shipped = new NotifyBuilder(context).fromRoute("outbox-pickup").wereSentTo("direct:ship-file")
                .whenCompleted(1).create();
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        String name = folder.getFileName().toString();
        Files.move(folder, outbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(outbox.resolve(name + ".ready"));
        assertThat(shipped.matches(60, TimeUnit.SECONDS)).as("outbox-pickup completed through direct:ship-file").isTrue();
        return tmp.resolve("outgoing").resolve(name);
    }

    /** Moves a part set into the receiver's parts folder as a courier would: the parts, then the manifest. */
    private Path carry(Path prefix) throws IOException {
        Path incoming = Files.createDirectories(tmp.resolve("incoming"));
        Manifest manifest = Manifest.read(PartFiles.manifest(prefix));
        for (int i = 0; i < manifest.totalChunks(); i++) {
            Path part = PartFiles.part(prefix, i);
            Files.move(part, incoming.resolve(part.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
        Path manifestFile = PartFiles.manifest(prefix);
        Files.move(manifestFile, incoming.resolve(manifestFile.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        return incoming;
    }

    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().equals(".failed"))
                    .map(p -> p.getFileName().toString()).toList();
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        digest.update(Files.readAllBytes(file));
        return Sha256.hex(digest);
    }
}
