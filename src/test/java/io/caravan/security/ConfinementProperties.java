package io.caravan.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CaravanException;
import io.caravan.CraftedTar;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.receiver.ChunkUpload;
import io.caravan.receiver.FinishRequest;
import io.caravan.receiver.Receiver;
import io.caravan.receiver.ReceiverConfig;
import io.caravan.receiver.StartRequest;
import io.caravan.session.ChunkBody;
import io.caravan.session.SessionLimits;
import io.caravan.sync.MirrorChangeRequest;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.caravan.util.Sha256;
import io.caravan.util.TreeSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Random sequences of what a client may send: parcels that plant links (absolute, climbing out with
 * {@code ..}, to the state folder), raw and archive publishes under names that pass through those
 * links, and mirror renames and deletions. After each sequence nothing outside the inbox changed,
 * and the receiver's state folder is still a real folder holding its sessions.
 */
class ConfinementProperties {

    private static final List<String> SEGMENTS = List.of("a", "b", "l1", "l2", "m");

    private Path tmp;
    private Path outside;
    private TreeSnapshot outsideBefore;

    @BeforeTry
    void prepare() throws IOException {
        tmp = Files.createTempDirectory("caravan-confinement");
        outside = Files.createDirectories(tmp.resolve("outside/a"));
        Files.writeString(outside.resolve("precious.txt"), "keep");
        Files.writeString(tmp.resolve("outside/b"), "keep too");
        outsideBefore = TreeSnapshot.of(tmp.resolve("outside"));
    }

    @AfterTry
    void remove() throws IOException {
        try (var walk = Files.walk(tmp)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One thing a client does. */
    record Step(String kind, String name, String other, boolean flag) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> name = Arbitraries.of(SEGMENTS).list().ofMinSize(1).ofMaxSize(3).map(s -> String.join("/", s));
        Arbitrary<String> kind = Arbitraries.of("plant-absolute", "plant-relative", "plant-state", "raw", "raw-into",
                "archive", "rename", "delete");
        return Combinators.combine(kind, name, name, Arbitraries.of(true, false)).as(Step::new).list().ofMinSize(2).ofMaxSize(7);
    }

    @Property(tries = 60, seed = "1111")
    void nothingOutsideTheInboxChangesWhateverClientsSend(@ForAll("steps") List<Step> steps) throws Exception {
        Path inbox = tmp.resolve("inbox");
        ReceiverConfig config = new ReceiverConfig(inbox, Duration.ofDays(1), new SessionLimits(1 << 20, 64, 1L << 30, 0, false, 0),
                1L << 20, OnConflict.REPLACE, ExtractPolicy.DEFAULT.withExternalSymlinks(true), Duration.ofDays(1));
        Receiver receiver = new Receiver(config, new SimpleMeterRegistry(), Clock.systemUTC());
        try {
            for (Step step : steps) {
                try {
                    apply(receiver, step);
                } catch (CaravanException refused) {
                    assertThat(refused.httpStatus()).as(step + ": " + refused.getMessage()).isBetween(400, 499);
                }
            }
        } finally {
            receiver.close();
        }
        assertThat(TreeSnapshot.of(tmp.resolve("outside")).differences(outsideBefore)).as("outside after %s", steps).isEmpty();
        assertThat(Files.isDirectory(inbox.resolve(".caravan"), LinkOption.NOFOLLOW_LINKS)).as("state folder after %s", steps).isTrue();
        assertThat(Files.isDirectory(inbox.resolve(".caravan/sessions"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    private void apply(Receiver receiver, Step step) throws Exception {
        switch (step.kind()) {
            case "plant-absolute" -> archive(receiver, step.name(), new CraftedTar()
                    .link(leaf(step.name()), org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK, outside.toString()));
            case "plant-relative" -> archive(receiver, step.name(), new CraftedTar()
                    .link(leaf(step.name()), org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK, "../../../outside"));
            case "plant-state" -> archive(receiver, step.name(), new CraftedTar()
                    .link(leaf(step.name()), org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK,
                            tmp.resolve("inbox/.caravan").toString()));
            case "raw", "raw-into" -> {
                Map<String, Object> options = new LinkedHashMap<>();
                options.put("name", step.kind().equals("raw-into") ? step.name() + "/" : step.name());
                options.put("into", step.flag());
                options.put("force", step.flag());
                String sid = receiver.sessions().start(new StartRequest((String) options.get("name"), null, null, null, null,
                        null, (Boolean) options.get("into"), (Boolean) options.get("force"))).sessionId();
                receiver.sessions().upload(new ChunkUpload(sid, 0, ChunkBody.of(ByteBuffer.wrap("evil".getBytes(StandardCharsets.UTF_8))), null));
                receiver.publishing().finish(new FinishRequest(sid, null));
            }
            case "archive" -> archive(receiver, step.name(), new CraftedTar().dir(leaf(step.name()))
                    .file(leaf(step.name()) + "/sub-" + leaf(step.other())));
            case "rename" -> receiver.mirrorUpdates().change(first(step.name()), new MirrorChangeRequest(
                    List.of(new MirrorChangeRequest.Rename(rest(step.name()), rest(step.other()), null)), List.of()));
            default -> receiver.mirrorUpdates().change(first(step.name()), new MirrorChangeRequest(List.of(), List.of(rest(step.other()))));
        }
    }

    private static void archive(Receiver receiver, String name, CraftedTar tar) throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream out = Codecs.byName("zstd").compressor(compressed, 1)) {
            out.write(tar.bytes());
        }
        byte[] stream = compressed.toByteArray();
        String sha = Sha256.of(stream, 0, stream.length);
        String sid = receiver.sessions().start(new StartRequest(name, "zstd", null, null, null, null, false, false)).sessionId();
        receiver.sessions().upload(new ChunkUpload(sid, 0, ChunkBody.of(ByteBuffer.wrap(stream)), null));
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "x", "zstd", 1, stream.length, 1, stream.length, sha,
                null, null, null, new ArrayList<>(List.of(new ChunkInfo(0, stream.length, sha))));
        receiver.publishing().finish(new FinishRequest(sid, manifest.validate().toJson()));
    }

    private static String leaf(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static String first(String name) {
        return name.split("/")[0];
    }

    private static String rest(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }
}
