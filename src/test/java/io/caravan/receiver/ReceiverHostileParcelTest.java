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
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.Manifest;
import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive sessions carrying crafted tar entries: escapes ("..", absolute paths, through a symlink or
 * hard link) and devices are refused at finish with a JSON error, nothing is published or written
 * outside the staging folder; setuid bits are stripped; the entry limit answers 413.
 */
class ReceiverHostileParcelTest {

    @TempDir
    static Path tmp;
    static ReceiverFixture receiver;

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of("caravan.receiver.max-entries", "50"));
    }

    @AfterAll
    static void stopReceiver() throws Exception {
        receiver.close();
    }

    /** Builds a tar in memory, then zstd-compresses it and cuts it into 64 KiB chunks with a manifest. */
    private static final class Archive {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8");

        Archive() {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        Archive dir(String name) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
            e.setMode(040755);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        Archive file(String name, int mode) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setMode(mode);
            byte[] content = ("content of " + name + "\n").getBytes(StandardCharsets.UTF_8);
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
            return this;
        }

        Archive file(String name) throws IOException {
            return file(name, 0100644);
        }

        Archive link(String name, byte type, String target) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        Archive special(String name, byte type) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        /** The compressed stream cut into parts, and its manifest. */
        Sent pack() throws IOException {
            tar.finish();
            Codec zstd = Codecs.byName("zstd");
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (OutputStream out = zstd.compressor(compressed, zstd.defaultLevel())) {
                out.write(bytes.toByteArray());
            }
            byte[] stream = compressed.toByteArray();
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
    }

    private record Sent(List<byte[]> parts, Manifest manifest) {
    }

    /** Starts a session named {@code name}, uploads the archive and finishes it. */
    private static HttpResponse<String> send(String sid, Archive archive) throws Exception {
        Sent sent = archive.pack();
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

    private static void assertRefused(String name, Archive archive, int status, String code) throws Exception {
        String sid = startArchive(receiver, name);
        List<String> before = inboxEntries(receiver);
        JsonNode answer = error(send(sid, archive), status, code);
        assertThat(answer.get("message").asText()).isNotBlank();
        assertThat(inboxEntries(receiver)).isEqualTo(before);
        assertThat(filesNamed("evil.txt")).isEmpty();
        // the session is kept (its chunks were fine); the sender can delete it
        ok(status(receiver, sid), 200);
        assertThat(receiver.send("DELETE", "/sessions/" + sid, null).statusCode()).isEqualTo(204);
        assertThat(sessionDir(receiver, sid)).doesNotExist();
    }

    @Test
    void dotDotEntryIsRefused() throws Exception {
        assertRefused("dotdot", new Archive().dir("p").file("p/ok.txt").file("p/../../evil.txt"), 422, "unsafe_entry");
    }

    @Test
    void absoluteEntryIsRefused() throws Exception {
        assertRefused("absolute", new Archive().file("ok.txt").file(tmp.resolve("evil.txt").toString()), 422, "unsafe_entry");
    }

    @Test
    void entryThroughASymlinkOutsideIsRefused() throws Exception {
        assertRefused("through-symlink", new Archive().dir("p").link("p/out", TarConstants.LF_SYMLINK, "../../../..")
                .file("p/out/evil.txt"), 422, "unsafe_entry");
    }

    @Test
    void hardLinkOutsideIsRefused() throws Exception {
        assertRefused("hard-link", new Archive().dir("p").link("p/evil.txt", TarConstants.LF_LINK, "../../../../../etc/passwd"),
                422, "unsafe_entry");
    }

    @Test
    void deviceIsRefused() throws Exception {
        assertRefused("device", new Archive().dir("p").special("p/evil.txt", TarConstants.LF_CHR), 422, "unsafe_entry");
    }

    @Test
    void tooManyEntriesIs413() throws Exception {
        Archive archive = new Archive().dir("many");
        for (int i = 0; i < 60; i++) {
            archive.file("many/f" + i);
        }
        assertRefused("many", archive, 413, null);
    }

    @Test
    void setuidAndSetgidAreStripped() throws Exception {
        String sid = startArchive(receiver, "modes");
        JsonNode answer = ok(send(sid, new Archive().dir("m").file("m/suid", 0104755).file("m/sgid", 0102755)
                .file("m/plain", 0100640)), 200);
        assertThat(answer.get("path").asText()).isEqualTo("modes");
        Path dir = receiver.inbox().resolve("modes");
        assertThat(Files.getPosixFilePermissions(dir.resolve("suid"))).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getAttribute(dir.resolve("suid"), "unix:mode")).isEqualTo(0100755);
        assertThat(Files.getAttribute(dir.resolve("sgid"), "unix:mode")).isEqualTo(0100755);
        assertThat(Files.getAttribute(dir.resolve("plain"), "unix:mode")).isEqualTo(0100640);
        assertThat(dir.resolve("plain")).hasContent("content of m/plain");
    }
}
