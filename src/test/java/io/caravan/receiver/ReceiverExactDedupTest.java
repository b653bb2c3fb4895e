package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.pack.PackHooks;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.pack.PartFileTarget;
import io.caravan.pack.PartFiles;
import io.caravan.progress.ProgressListener;
import io.caravan.receiver.ReceiverCalls.Parcel;
import io.caravan.util.FileIdentity;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dedup never lies: {@code /check} and reference entries only ever stand for bytes a stored file
 * still holds. A file published over with the same size and mtime, or changed in place with its
 * mtime put back, is no longer offered, and a parcel referring to it is refused (409
 * {@code reference_unavailable}, nothing published) instead of publishing other bytes.
 */
class ReceiverExactDedupTest {

    static final FileTime MTIME = FileTime.fromMillis(1_700_000_000_000L);

    @TempDir
    Path tmp;

    ReceiverFixture receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.dedup-min-size", "100KiB"));
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
    }

    /** A tree {@code <name>/data.bin} of 150,000 random bytes (seeded) with a fixed mtime, plus a small file. */
    private Path tree(String label, long seed) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("src-" + label).resolve("tree"));
        TestTrees.random(root.resolve("data.bin"), 150_000, seed);
        Files.setLastModifiedTime(root.resolve("data.bin"), MTIME);
        TestTrees.write(root.resolve("readme.txt"), "tree " + label + "\n");
        return root;
    }

    private void publish(Path source, String name) throws Exception {
        Parcel parcel = ReceiverCalls.pack(source, tmp.resolve("parts-" + name + "-" + System.nanoTime() + "/p"));
        String sid = startArchive(receiver, name, Map.of("on_conflict", "replace"));
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        assertPublished(receiver, finish(receiver, sid, parcel), parcel, name);
    }

    /** Packs {@code source} with {@code data.bin} as a reference to {@code sha256}, as a sender that trusts the receiver's /check does. */
    private Parcel withReference(Path source, String sha256) throws IOException {
        Path prefix = tmp.resolve("parts-ref-" + System.nanoTime() + "/p");
        PackHooks hooks = new PackHooks() {
            @Override
            public Optional<String> reference(Path file, FileIdentity identity) {
                return file.getFileName().toString().equals("data.bin") ? Optional.of(sha256) : Optional.empty();
            }
        };
        PartFileTarget target = new PartFileTarget(prefix);
        Manifest manifest = new Packer(new PackOptions(Codecs.byName("zstd"), 3, ReceiverCalls.CHUNK, "tree"),
                ProgressListener.NONE, hooks).pack(List.of(source), target);
        target.writeManifest(manifest);
        List<byte[]> parts = new ArrayList<>();
        for (ChunkInfo chunk : manifest.chunks()) {
            parts.add(Files.readAllBytes(PartFiles.part(prefix, chunk.index())));
        }
        return new Parcel(source, manifest, parts);
    }

    private static String sha(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        return Sha256.of(data, 0, data.length);
    }

    private JsonNode refusedReference(Parcel parcel, String name, String sha256) throws Exception {
        String sid = startArchive(receiver, name);
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        JsonNode refused = error(finish(receiver, sid, parcel), 409, "reference_unavailable");
        assertThat(refused.path("references").toString()).contains(sha256);
        assertThat(receiver.inbox().resolve(name)).doesNotExist();
        return refused;
    }

    @Test
    void aReferenceIsPublishedFromTheStoredBytes() throws Exception {
        Path first = tree("first", 1);
        publish(first, "shared");
        String sha = sha(first.resolve("data.bin"));
        assertThat(ok(receiver.send("POST", "/check?h=" + sha, null), 200).path("path").asText()).isEqualTo("shared/data.bin");

        Parcel parcel = withReference(first, sha);
        String sid = startArchive(receiver, "copy");
        putAll(receiver, sid, parcel, range(0, parcel.count()));
        ok(finish(receiver, sid, parcel), 200);
        ReceiverCalls.assertSameTree(first, receiver.inbox().resolve("copy"));
    }

    @Test
    void aFilePublishedOverWithTheSameSizeAndMtimeIsNoLongerOfferedNorMaterialised() throws Exception {
        Path first = tree("first", 1);
        publish(first, "shared");
        String original = sha(first.resolve("data.bin"));
        assertThat(ok(receiver.send("POST", "/check?h=" + original, null), 200).path("path").asText())
                .isEqualTo("shared/data.bin");

        Path second = tree("second", 2); // another client's data.bin: same size, same mtime, other bytes
        publish(second, "shared");

        error(receiver.send("POST", "/check?h=" + original, null), 404, "not_found");
        refusedReference(withReference(first, original), "copy", original);
        assertThat(receiver.inbox().resolve("shared/data.bin")).hasSameBinaryContentAs(second.resolve("data.bin"));
    }

    @Test
    void aStoredFileChangedInPlaceWithItsMtimePutBackIsNoLongerOfferedNorMaterialised() throws Exception {
        Path first = tree("first", 1);
        publish(first, "shared");
        String original = sha(first.resolve("data.bin"));
        ok(receiver.send("POST", "/check?h=" + original, null), 200);

        InPlaceChange.flipFirstByteKeepingSizeAndMtime(receiver.inbox().resolve("shared/data.bin"));

        error(receiver.send("POST", "/check?h=" + original, null), 404, "not_found");
        refusedReference(withReference(first, original), "copy", original);
    }

    @Test
    void aReferenceToContentChangedAfterTheCheckIsRefused() throws Exception {
        Path first = tree("first", 1);
        publish(first, "shared");
        String original = sha(first.resolve("data.bin"));
        ok(receiver.send("POST", "/check?h=" + original, null), 200);
        Parcel parcel = withReference(first, original);

        InPlaceChange.flipFirstByteKeepingSizeAndMtime(receiver.inbox().resolve("shared/data.bin"));

        JsonNode refused = refusedReference(parcel, "copy", original);
        assertThat(refused.path("message").asText()).contains("data.bin", original);
    }

    @Test
    void aDamagedIndexDoesNotKeepTheReceiverFromStarting() throws Exception {
        Path first = tree("first", 1);
        publish(first, "shared");
        Path state = receiver.inbox().resolve(".caravan");
        receiver.close();
        Files.writeString(state.resolve("dedup.tsv"), "x\ty\tz\tw\nnot\ta\tnumber\tat all\n");
        Files.write(state.resolve("dedup.jsonl"), new byte[] {'{', '"', (byte) 0xff, '\n', 'x', '\t', '1', '\n'},
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);

        receiver = new ReceiverFixture(receiver.inbox(), Map.of("caravan.receiver.dedup-min-size", "100KiB"));
        assertThat(ok(receiver.get("/health"), 200).path("status").asText()).isEqualTo("UP");
        String sha = sha(first.resolve("data.bin"));
        assertThat(ok(receiver.send("POST", "/check?h=" + sha, null), 200).path("path").asText()).isEqualTo("shared/data.bin");
    }
}
