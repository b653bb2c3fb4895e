package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.error;
import static io.caravan.receiver.ReceiverCalls.inboxEntries;
import static io.caravan.receiver.ReceiverCalls.ok;
import static io.caravan.receiver.ReceiverCalls.put;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.CraftedTar;
import io.caravan.HeaderBombTar;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive sessions carrying crafted tar entries: escapes ("..", absolute paths, through a symlink or
 * hard link) and devices are refused at finish with a JSON error, nothing is published or written
 * outside the staging folder; setuid bits are stripped; the entry limit answers 413.
 */
class ReceiverHostileParcelTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final RunningReceiver RUNNING = RunningReceiver.at(() -> tmp.resolve("inbox"))
            .properties(Map.of("caravan.receiver.max-entries", "50"));
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver(ReceiverFixture started) throws Exception {
        receiver = started;
    }

    /** zstd-compresses a crafted archive and cuts it into 64 KiB chunks with a manifest. */
    private static Sent pack(CraftedTar archive) throws IOException {
        Codec zstd = Codecs.byName("zstd");
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream out = zstd.compressor(compressed, zstd.defaultLevel())) {
            out.write(archive.bytes());
        }
        return cut(compressed.toByteArray());
    }

    /** Cuts an already compressed zstd stream into 64 KiB chunks with a manifest. */
    private static Sent cut(byte[] stream) {
        Codec zstd = Codecs.byName("zstd");
        List<byte[]> parts = new ArrayList<>();
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int off = 0, i = 0; off < stream.length; off += ReceiverCalls.CHUNK, i++) {
            byte[] part = Arrays.copyOfRange(stream, off, Math.min(stream.length, off + ReceiverCalls.CHUNK));
            parts.add(part);
            chunks.add(new ChunkInfo(i, part.length, Sha256.of(part, 0, part.length)));
        }
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "hostile", "zstd", zstd.defaultLevel(),
                ReceiverCalls.CHUNK, parts.size(), stream.length, Sha256.of(stream, 0, stream.length),
                null, null, null, chunks);
        return new Sent(parts, manifest.validate());
    }

    private record Sent(List<byte[]> parts, Manifest manifest) {
    }

    /** Starts a session named {@code name}, uploads the archive and finishes it. */
    private static HttpResponse<String> send(String sid, Sent sent) throws Exception {
        for (int i = 0; i < sent.parts().size(); i++) {
            ok(put(receiver, sid, i, sent.parts().get(i)), 201);
        }
        return receiver.post("/finish/" + sid, sent.manifest().toJson());
    }

    private static List<String> filesNamed(String name) throws IOException {
        try (Stream<Path> walk = Files.walk(tmp)) {
            return walk.filter(p -> p.getFileName().toString().equals(name)).map(Path::toString).toList();
        }
    }

    private static void assertRefused(String name, CraftedTar archive, int status, String code) throws Exception {
        assertRefused(name, pack(archive), status, code);
    }

    private static JsonNode assertRefused(String name, Sent sent, int status, String code) throws Exception {
        String sid = startArchive(receiver, name);
        List<String> before = inboxEntries(receiver);
        JsonNode answer = error(send(sid, sent), status, code);
        assertThat(answer.get("message").asText()).isNotBlank();
        assertThat(inboxEntries(receiver)).isEqualTo(before);
        assertThat(filesNamed("evil.txt")).isEmpty();
        // the session is kept (its chunks were fine); the sender can delete it
        ok(status(receiver, sid), 200);
        assertThat(receiver.send("DELETE", "/sessions/" + sid, null).statusCode()).isEqualTo(204);
        assertThat(sessionDir(receiver, sid)).doesNotExist();
        return answer;
    }

    @Test
    void dotDotEntryIsRefused() throws Exception {
        assertRefused("dotdot", new CraftedTar().dir("p").file("p/ok.txt").file("p/../../evil.txt"), 422, "unsafe_entry");
    }

    @Test
    void absoluteEntryIsRefused() throws Exception {
        assertRefused("absolute", new CraftedTar().file("ok.txt").file(tmp.resolve("evil.txt").toString()), 422, "unsafe_entry");
    }

    @Test
    void entryThroughASymlinkOutsideIsRefused() throws Exception {
        assertRefused("through-symlink", new CraftedTar().dir("p").link("p/out", TarConstants.LF_SYMLINK, "../../../..")
                .file("p/out/evil.txt"), 422, "unsafe_entry");
    }

    @Test
    void hardLinkOutsideIsRefused() throws Exception {
        assertRefused("hard-link", new CraftedTar().dir("p").link("p/evil.txt", TarConstants.LF_LINK, "../../../../../etc/passwd"),
                422, "unsafe_entry");
    }

    @Test
    void deviceIsRefused() throws Exception {
        assertRefused("device", new CraftedTar().dir("p").special("p/evil.txt", TarConstants.LF_CHR), 422, "unsafe_entry");
    }

    /** 60 MiB of GNU long name in a few KB of zstd: refused from the size its header declares, never read into memory. */
    @Test
    void aTarHeaderDeclaringAHugeNameIsRefusedBeforeItIsRead() throws Exception {
        byte[] stream = HeaderBombTar.zstd((byte) 'L', 60L << 20);
        assertThat(stream.length).isLessThan(ReceiverCalls.CHUNK);
        JsonNode answer = assertRefused("long-name", cut(stream), 422, "unsafe_entry");
        assertThat(answer.get("entry").asText()).isEqualTo("././@LongLink");
        assertThat(answer.get("message").asText()).contains("GNU long-name header (type 'L'").contains("declares 62914560 bytes");
    }

    /**
     * A manifest that is consistent in itself but lists only the first chunks of the stream: the
     * archive ends inside its entry, answered 422 {@code damaged_stream} naming the session and the
     * entry in Caravan's words (no library's text), and what to do.
     */
    @Test
    void aStreamCutShortIsADamagedStreamNamingTheSessionAndTheEntry() throws Exception {
        byte[] noise = new byte[3 * ReceiverCalls.CHUNK];
        new java.util.Random(7).nextBytes(noise);
        CraftedParcel whole = CraftedParcel.of(tar -> CraftedParcel.file(tar, "cut/noise.bin", noise), ReceiverCalls.CHUNK);
        assertThat(whole.count()).isGreaterThan(2);
        Sent shortened = cut(whole.parts().get(0));
        String sid = startArchive(receiver, "cut-short");
        JsonNode answer = error(send(sid, shortened), 422, "damaged_stream");
        String message = answer.get("message").asText();
        assertThat(message).contains(sid).contains("'cut/noise.bin'").contains("send the parcel again")
                .doesNotContainIgnoringCase("truncated tar").doesNotContainIgnoringCase("exception");
        assertThat(answer.get("entry").asText()).isEqualTo("cut/noise.bin");
        // nothing of it is published; the finish let the session take more chunks, so its extraction may
        // already have begun again in the session's own staging folder
        assertThat(filesNamed("noise.bin")).allSatisfy(path -> assertThat(path).contains("/.caravan/staging/" + sid + "/"));
        assertThat(receiver.inbox().resolve("cut-short")).doesNotExist();
    }

    /**
     * Five bytes that are no tar, sent over a published folder of that name: a stream that ends before its
     * end-of-archive marker is damaged (422), never an empty archive published over the folder.
     */
    @Test
    void aFewBytesThatAreNoTarAreADamagedStreamAndTheFolderStays() throws Exception {
        ok(send(startArchive(receiver, "tinyx"), pack(new CraftedTar().dir("tinyx").file("tinyx/kept"))), 200);
        Codec zstd = Codecs.byName("zstd");
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        try (OutputStream out = zstd.compressor(hello, zstd.defaultLevel())) {
            out.write("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        JsonNode answer = assertRefused("tinyx", cut(hello.toByteArray()), 422, "damaged_stream");

        assertThat(answer.get("message").asText()).contains("not a complete archive");
        assertThat(receiver.inbox().resolve("tinyx/kept")).hasContent("content of tinyx/kept");
    }

    @Test
    void tooManyEntriesIs413() throws Exception {
        CraftedTar archive = new CraftedTar().dir("many");
        for (int i = 0; i < 60; i++) {
            archive.file("many/f" + i);
        }
        assertRefused("many", archive, 413, null);
    }

    @Test
    void setuidAndSetgidAreStripped() throws Exception {
        String sid = startArchive(receiver, "modes");
        JsonNode answer = ok(send(sid, pack(new CraftedTar().dir("m").file("m/suid", 0104755).file("m/sgid", 0102755)
                .file("m/plain", 0100640))), 200);
        assertThat(answer.get("path").asText()).isEqualTo("modes");
        Path dir = receiver.inbox().resolve("modes");
        assertThat(Files.getPosixFilePermissions(dir.resolve("suid"))).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getAttribute(dir.resolve("suid"), "unix:mode")).isEqualTo(0100755);
        assertThat(Files.getAttribute(dir.resolve("sgid"), "unix:mode")).isEqualTo(0100755);
        assertThat(Files.getAttribute(dir.resolve("plain"), "unix:mode")).isEqualTo(0100640);
        assertThat(dir.resolve("plain")).hasContent("content of m/plain");
    }
}
