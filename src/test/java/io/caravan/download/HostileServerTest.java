package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.caravan.CliRunner;
import io.caravan.CraftedTar;
import io.caravan.HeaderBombTar;
import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.util.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile server (the JDK's HttpServer speaking the catalog API) whose parcels hold names that
 * escape, links that point out, a bomb, a chunk that does not match its hash, or entries beside the
 * parcel: {@code caravan get} refuses each with a message naming it, exits 1, nothing is written
 * outside {@code <local>} nor published inside it, and its chunk folder is removed (a rerun would be refused the same way).
 */
class HostileServerTest {

    @TempDir
    Path tmp;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aNameThatEscapesIsRefused() throws Exception {
        CliRunner.Result get = get(new CraftedTar().dir("evil").file("evil/../../escaped.txt").bytes(), false);
        assertThat(get.err()).contains("refused entry 'evil/../../escaped.txt'");
    }

    @Test
    void aLinkThatPointsOutIsRefused() throws Exception {
        CliRunner.Result get = get(new CraftedTar().dir("evil").link("evil/out", TarArchiveEntry.LF_SYMLINK, "../../..").bytes(), false);
        assertThat(get.err()).contains("refused entry 'evil/out'").contains("outside the destination");
    }

    @Test
    void aWriteThroughALinkIsRefused() throws Exception {
        CliRunner.Result get = get(new CraftedTar().dir("evil").link("evil/etc", TarArchiveEntry.LF_SYMLINK, "/etc")
                .file("evil/etc/caravan-was-here").bytes(), false);
        assertThat(get.err()).contains("refused entry 'evil/etc'");
    }

    /** The name rules hold below the top-level name as well: a reserved part, a control character. */
    @Test
    void namesBelowTheTopThatBreakTheNameRulesAreRefused() throws Exception {
        CliRunner.Result reserved = get(new CraftedTar().dir("evil").file("evil/.caravan/versions/x").bytes(), false);
        assertThat(reserved.err()).contains("refused entry 'evil/.caravan/versions/x'").contains("'.caravan' is a reserved name");
        stop();
        CliRunner.Result control = get(new CraftedTar().dir("evil").file("evil/bell\u0007").bytes(), false);
        assertThat(control.err()).contains("refused entry 'evil/bell\\u0007'").contains("control characters");
    }

    @Test
    void aBombIsRefusedBeforeItFillsTheDisk() throws Exception {
        CliRunner.Result get = get(bomb(), false);
        assertThat(get.err()).contains("bytes, the configured limit (at entry 'evil/zeros')");
    }

    /** 60 MiB of GNU long name in a few KB of zstd: refused from the size its header declares, never read into memory. */
    @Test
    void aTarHeaderDeclaringAHugeNameIsRefusedBeforeItIsRead() throws Exception {
        CliRunner.Result get = get(HeaderBombTar.zstd((byte) 'L', 60L << 20), "zstd", 3, false);
        assertThat(get.err()).contains("refused entry '././@LongLink'").contains("GNU long-name header (type 'L'")
                .contains("declares 62914560 bytes");
    }

    @Test
    void aChunkThatDoesNotMatchItsHashIsRefused() throws Exception {
        CliRunner.Result get = get(new CraftedTar().dir("evil").file("evil/a.txt").bytes(), true);
        assertThat(get.err()).contains("chunk 0000 of 'evil'").contains("SHA-256 mismatch");
    }

    @Test
    void entriesBesideTheParcelAreRefused() throws Exception {
        CliRunner.Result get = get(new CraftedTar().dir("evil").file("evil/a.txt").file(".bashrc").bytes(), false);
        assertThat(get.err()).contains("'.bashrc'");
    }

    @Test
    void aFileWhoseChunksDoNotTileItIsRefusedBeforeAnythingIsWritten() throws Exception {
        byte[] content = new byte[3000];
        List<ChunkInfo> chunks = List.of(new ChunkInfo(0, 1024, Sha256.of(content, 0, 1024)),
                new ChunkInfo(1, 1976, Sha256.of(content, 1024, 1976)));
        CliRunner.Result get = serve(new Manifest(Manifest.VERSION, Manifest.FORMAT, "evil", "none", null, 1024, 2, 3000,
                Sha256.of(content, 0, 3000), 1L, 3000L, "2026-01-01T00:00:00Z", chunks, FACTS), List.of(content, content));
        assertThat(get.err()).contains("does not describe one file cut into chunks").contains("chunk 1 is 1976 bytes");
    }

    @Test
    void aFileNameThatEscapesIsRefused() throws Exception {
        CliRunner.Result get = getFile(new byte[2000], new Manifest.FileFacts("../escaped.txt", 0644, "2026-01-01T00:00:00Z"), false);
        assertThat(get.err()).contains("file.name '../escaped.txt'");
    }

    @Test
    void aFileChunkThatDoesNotMatchItsHashIsRefused() throws Exception {
        CliRunner.Result get = getFile(new byte[2000], FACTS, true);
        assertThat(get.err()).contains("chunk 0000 of 'evil'").contains("SHA-256 mismatch");
    }

    @Test
    void aFileLargerThanTheFreeSpaceIsRefusedBeforeItIsFetched() throws Exception {
        long chunk = 1L << 30;
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            chunks.add(new ChunkInfo(i, chunk, "ab".repeat(32)));
        }
        CliRunner.Result get = serve(new Manifest(Manifest.VERSION, Manifest.FORMAT, "evil", "none", null, chunk, 1024,
                1024 * chunk, null, 1L, 1024 * chunk, "2026-01-01T00:00:00Z", chunks, FACTS), List.of());
        assertThat(get.err()).contains("bytes are free where the chunks go");
    }

    @Test
    void anEndlessManifestIsRefusedWithoutExhaustingMemory() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/parcels/manifest", exchange -> {
            exchange.getResponseHeaders().set("ETag", "\"hostile\"");
            exchange.sendResponseHeaders(200, 0);
            byte[] spaces = new byte[1 << 16];
            Arrays.fill(spaces, (byte) ' ');
            try (OutputStream out = exchange.getResponseBody()) {
                out.write('[');
                for (long sent = 0; sent < (1L << 34); sent += spaces.length) {
                    out.write(spaces); // until the client hangs up
                }
            } catch (IOException hungUp) {
                // expected
            }
        });
        server.start();
        Path local = Files.createDirectories(tmp.resolve("home/local"));

        CliRunner.Result get = CliRunner.run("get", "evil", local.toString(), "--to",
                "http://127.0.0.1:" + server.getAddress().getPort(), "-q");

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains("manifest").contains("larger than");
    }

    private static final Manifest.FileFacts FACTS = new Manifest.FileFacts("evil", 0644, "2026-01-01T00:00:00Z");

    /** Serves {@code content} as one file sent as its own bytes (1 KiB chunks), runs caravan get, checks the refusal. */
    private CliRunner.Result getFile(byte[] content, Manifest.FileFacts facts, boolean corruptChunk) throws Exception {
        List<ChunkInfo> chunks = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        cut(content, corruptChunk, chunks, bodies);
        return serve(new Manifest(Manifest.VERSION, Manifest.FORMAT, "evil", "none", null, 1024, chunks.size(), content.length,
                Sha256.of(content, 0, content.length), 1L, (long) content.length, "2026-01-01T00:00:00Z", chunks, facts), bodies);
    }

    private static void cut(byte[] stream, boolean corruptChunk, List<ChunkInfo> chunks, List<byte[]> bodies) {
        for (int offset = 0, i = 0; offset < stream.length; offset += 1024, i++) {
            byte[] body = Arrays.copyOfRange(stream, offset, Math.min(stream.length, offset + 1024));
            chunks.add(new ChunkInfo(i, body.length, Sha256.of(body, 0, body.length)));
            bodies.add(corruptChunk && i == 0 ? flipped(body) : body);
        }
    }

    /** Serves {@code tar} (codec none, 1 KiB chunks) as the parcel 'evil', runs caravan get, checks the refusal. */
    private CliRunner.Result get(byte[] tar, boolean corruptChunk) throws Exception {
        return get(tar, "none", 0, corruptChunk);
    }

    /** Serves {@code stream} (a tar in {@code codec}, 1 KiB chunks) as the parcel 'evil', runs caravan get, checks the refusal. */
    private CliRunner.Result get(byte[] stream, String codec, int level, boolean corruptChunk) throws Exception {
        List<ChunkInfo> chunks = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        cut(stream, corruptChunk, chunks, bodies);
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "evil", codec, level, 1024, chunks.size(),
                stream.length, Sha256.of(stream, 0, stream.length), null, null, "2026-01-01T00:00:00Z", chunks);
        return serve(manifest, bodies);
    }

    /** Serves {@code manifest} and chunk {@code i} as {@code bodies[i]} as the parcel 'evil', runs caravan get, checks the refusal. */
    private CliRunner.Result serve(Manifest manifest, List<byte[]> bodies) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/parcels/manifest", exchange -> answer(exchange, manifest.toJson().getBytes(StandardCharsets.UTF_8)));
        server.createContext("/parcels/chunks/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            answer(exchange, bodies.get(Integer.parseInt(path.substring(path.lastIndexOf('/') + 1))));
        });
        server.start();
        Path local = Files.createDirectories(tmp.resolve("home/local"));

        CliRunner.Result get = CliRunner.run("get", "evil", local.toString(), "--to",
                "http://127.0.0.1:" + server.getAddress().getPort(), "-q");

        assertThat(get.exitCode()).as(get.err()).isEqualTo(1);
        assertNothingLeft(tmp);
        return get;
    }

    /** Only {@code <tmp>/home/local}, empty, exists after a refused download into it: no chunk folder, no staging. */
    static void assertNothingLeft(Path tmp) throws IOException {
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.map(tmp::relativize).map(Path::toString))
                    .as("what exists after the refused download (its chunk folder and staging removed)")
                    .containsExactlyInAnyOrder("", "home", "home/local");
        }
    }

    private static void answer(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("ETag", "\"hostile\"");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] flipped(byte[] body) {
        byte[] copy = body.clone();
        copy[copy.length / 2] ^= 1;
        return copy;
    }

    /** A tar whose one file claims 1 PiB: the header alone, since the extraction must refuse it before any content. */
    private static byte[] bomb() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8");
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        TarArchiveEntry dir = new TarArchiveEntry("evil/");
        tar.putArchiveEntry(dir);
        tar.closeArchiveEntry();
        TarArchiveEntry zeros = new TarArchiveEntry("evil/zeros");
        zeros.setSize(1L << 50);
        tar.putArchiveEntry(zeros);
        tar.write(new byte[4096]);
        tar.flush();
        return bytes.toByteArray();
    }
}
