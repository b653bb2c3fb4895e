package io.caravan.session.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.session.Session;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared store's chunk folder ({@code <chunk-dir>/sessions/<id>/chunks}, {@code <chunk-dir>/tmp}) is
 * never reached through a link planted there: a link as {@code sessions} or {@code tmp} stops the start
 * naming it, one as a session's chunk folder is refused, and nothing outside is written or deleted.
 */
class SharedChunkFolderLinksTest {

    @TempDir
    Path tmp;
    private Path chunkDir;
    private Path outside;
    private final String url = TestDatabase.newDatabase();
    private final List<PostgresSessionStore> stores = new ArrayList<>();

    @BeforeEach
    void folders() throws Exception {
        chunkDir = Files.createDirectories(tmp.resolve("chunks"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("victim.txt"), "user data\n");
        Files.setLastModifiedTime(outside.resolve("victim.txt"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    }

    @AfterEach
    void close() {
        stores.forEach(PostgresSessionStore::close);
    }

    private PostgresSessionStore node() throws Exception {
        PostgresSessionStore store = TestDatabase.node(url, chunkDir);
        stores.add(store);
        return store;
    }

    private void outsideUnchanged() throws Exception {
        assertThat(Files.readString(outside.resolve("victim.txt"))).isEqualTo("user data\n");
        try (Stream<Path> listed = Files.list(outside)) {
            assertThat(listed).containsExactly(outside.resolve("victim.txt"));
        }
    }

    @Test
    void aLinkAsTheSessionsOrTemporaryFolderStopsTheStart() throws Exception {
        for (String folder : List.of("sessions", "tmp")) {
            Files.createSymbolicLink(chunkDir.resolve(folder), outside);

            assertThatThrownBy(() -> node().expire()).hasMessageContaining(folder).hasMessageContaining("symbolic link");

            outsideUnchanged();
            Files.delete(chunkDir.resolve(folder));
        }
    }

    @Test
    void aLinkAsASessionsChunkFolderIsRefusedOnAnotherNode() throws Exception {
        PostgresSessionStore first = node();
        Session session = first.create("s.bin", "archive", "none", null, null);
        Path chunks = chunkDir.resolve("sessions").resolve(session.meta().id()).resolve("chunks");
        Files.delete(chunks);
        Files.createSymbolicLink(chunks, outside);

        PostgresSessionStore second = node();
        assertThatThrownBy(() -> second.write(second.get(session.meta().id()), 0, ByteBuffer.wrap(new byte[100]), null))
                .hasMessageContaining("symbolic link");

        outsideUnchanged();
    }
}
