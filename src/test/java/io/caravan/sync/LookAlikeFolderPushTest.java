package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.receiver.ReceiverFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder replaced by another with the same names, sizes, modes and mtimes but other bytes (a release rebuilt
 * with fixed mtimes) is no rename: the mirror gets the new bytes. A folder really moved is still moved on the
 * mirror without its files being sent again: each file's rename carries its SHA-256, which the mirror checks.
 */
class LookAlikeFolderPushTest {

    private static final FileTime FIXED = FileTime.from(Instant.parse("1980-01-01T00:00:00Z"));
    /** Bytes after each file's version line: random, so that a file sent again shows in the bytes received. */
    private static final int FILLER = 200_000;
    private static final String FILLER_TEXT = new java.util.Random(7).ints(FILLER, 'a', 'z' + 1)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();

    @TempDir
    Path tmp;

    @Test
    void aLookAlikeFolderWithOtherBytesIsSentAndAMovedOneIsRenamed() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        release(tree.resolve("release-1"), "1");
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            PushPass.once(tmp, receiver, "m");
            Path mirror = receiver.inbox().resolve("m");
            assertThat(Files.readString(mirror.resolve("release-1/app.js"))).startsWith("version 1 of app.js");

            release(tree.resolve("release-2"), "2");
            deleteTree(tree.resolve("release-1"));
            String lookAlike = PushPass.once(tmp, receiver, "m");

            assertThat(Files.readString(mirror.resolve("release-2/app.js"))).as(lookAlike).startsWith("version 2 of app.js");
            assertThat(Files.readString(mirror.resolve("release-2/lib/index.html"))).startsWith("version 2 of index.html");
            assertThat(mirror.resolve("release-2/empty")).isEmptyDirectory();
            assertThat(Files.readSymbolicLink(mirror.resolve("release-2/current"))).isEqualTo(Path.of("app.js"));
            assertThat(mirror.resolve("release-1")).doesNotExist();
            assertThat(PushPass.once(tmp, receiver, "m")).contains("0 synced");

            double received = received(receiver);
            Files.move(tree.resolve("release-2"), tree.resolve("release-3"));
            String moved = PushPass.once(tmp, receiver, "m");

            assertThat(Files.readString(mirror.resolve("release-3/app.js"))).as(moved).startsWith("version 2 of app.js");
            assertThat(Files.readString(mirror.resolve("release-3/lib/index.html"))).startsWith("version 2 of index.html");
            assertThat(mirror.resolve("release-3/empty")).isEmptyDirectory();
            assertThat(mirror.resolve("release-2")).doesNotExist();
            assertThat(received(receiver) - received).as("the files' content does not travel again").isLessThan(FILLER / 2);
            assertThat(PushPass.once(tmp, receiver, "m")).contains("0 synced");
        }
    }

    /** A release folder: two files of fixed length whose text names {@code version}, a link and an empty folder, all at one fixed mtime. */
    private static void release(Path dir, String version) throws IOException {
        Files.createDirectories(dir.resolve("lib"));
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("app.js"), "version " + version + " of app.js" + FILLER_TEXT);
        Files.writeString(dir.resolve("lib/index.html"), "version " + version + " of index.html" + FILLER_TEXT);
        Files.createSymbolicLink(dir.resolve("current"), Path.of("app.js"));
        for (String path : new String[] {"app.js", "lib/index.html", "lib", "empty", ""}) {
            Files.setLastModifiedTime(dir.resolve(path), FIXED);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The bytes the receiver has taken in chunks ({@code caravan_bytes_received}). */
    private static double received(ReceiverFixture receiver) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^caravan_bytes_received\\S* ([0-9.E+]+)$")
                .matcher(receiver.get("/metrics").body());
        assertThat(m.find()).as("caravan_bytes_received in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
