package io.caravan.download;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.caravan.CliRunner;
import io.caravan.CraftedTar;
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
 * parcel: {@code caravan get} refuses each with a message naming it, exits 1, and nothing is written
 * outside {@code <local>} nor published inside it.
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

    @Test
    void aBombIsRefusedBeforeItFillsTheDisk() throws Exception {
        CliRunner.Result get = get(bomb(), false);
        assertThat(get.err()).contains("bytes, the configured limit (at entry 'evil/zeros')");
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

    /** Serves {@code tar} (codec none, 1 KiB chunks) as the parcel 'evil', runs caravan get, checks the refusal. */
    private CliRunner.Result get(byte[] tar, boolean corruptChunk) throws Exception {
        List<ChunkInfo> chunks = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        for (int offset = 0, i = 0; offset < tar.length; offset += 1024, i++) {
            byte[] body = Arrays.copyOfRange(tar, offset, Math.min(tar.length, offset + 1024));
            chunks.add(new ChunkInfo(i, body.length, Sha256.of(body, 0, body.length)));
            bodies.add(corruptChunk && i == 0 ? flipped(body) : body);
        }
        Manifest manifest = new Manifest(Manifest.VERSION, Manifest.FORMAT, "evil", "none", 0, 1024, chunks.size(),
                tar.length, Sha256.of(tar, 0, tar.length), null, null, "2026-01-01T00:00:00Z", chunks);
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
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.filter(p -> !p.startsWith(local.resolve(".caravan-get-evil"))).map(tmp::relativize).map(Path::toString))
                    .as("what exists after the refused download").containsExactlyInAnyOrder("", "home", "home/local");
        }
        return get;
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
