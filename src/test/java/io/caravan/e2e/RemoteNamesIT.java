package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote names mean what scp and rsync users expect: a name ending in '/' or naming an existing
 * folder on the receiver means "into it"; a publish never turns a folder into a file; whatever a
 * publish replaces is kept in the versions area.
 */
class RemoteNamesIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void namesIntoFoldersKeepWhatIsThereAndVersionWhatIsReplaced() throws Exception {
        Path inbox = dir.resolve("inbox");
        Path backup = Files.createDirectories(inbox.resolve("backup/many")).getParent();
        for (int i = 0; i < 20; i++) {
            TestTrees.write(backup.resolve("many/file-" + i + ".txt"), "kept " + i + "\n");
        }
        TreeSnapshot before = TreeSnapshot.of(backup.resolve("many"));
        Path sample = dir.resolve("sample.bin");
        TestTrees.random(sample, 300_000, 7);
        Path photos = Files.createDirectories(dir.resolve("photos"));
        TestTrees.write(photos.resolve("a.txt"), "a\n");
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, inbox)).awaitHttpReady(port);

        send(port, 0, sample.toString(), "backup/");
        assertThat(inbox.resolve("backup/sample.bin")).hasSameBinaryContentAs(sample);
        send(port, 0, sample.toString(), "backup/many");
        assertThat(inbox.resolve("backup/many/sample.bin")).hasSameBinaryContentAs(sample);
        send(port, 0, photos.toString(), "backup");
        assertThat(inbox.resolve("backup/photos/a.txt")).hasContent("a\n");
        send(port, 0, photos.toString(), "album");
        assertThat(inbox.resolve("album/a.txt")).hasContent("a\n");
        send(port, 0, photos.toString(), "album");
        assertThat(inbox.resolve("album/photos")).as("running the same send again updates what it published").doesNotExist();
        assertThat(inbox.resolve("album/a.txt")).hasContent("a\n");
        assertThat(before.differences(TreeSnapshot.of(backup.resolve("many")))).containsExactly("extra: sample.bin");

        byte[] old = Files.readAllBytes(sample);
        TestTrees.random(sample, 300_000, 8);
        send(port, 0, sample.toString(), "backup/");
        assertThat(inbox.resolve("backup/sample.bin")).hasSameBinaryContentAs(sample);
        assertThat(versionsOf(inbox, "backup/sample.bin")).singleElement()
                .satisfies(v -> assertThat(Files.readAllBytes(v)).isEqualTo(old));

        String refused = send(port, 1, photos.toString(), "backup/sample.bin");
        assertThat(refused).contains("backup/sample.bin").contains("is a file").contains("folder");
        assertThat(inbox.resolve("backup/sample.bin")).hasSameBinaryContentAs(sample);
    }

    private String send(int port, int expectedExit, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("send"));
        command.addAll(List.of(args));
        command.addAll(List.of("--to", "http://127.0.0.1:" + port, "--state-dir", dir.resolve("state").toString(), "-q"));
        CaravanProcess send = processes.start(dir, "send", command.toArray(String[]::new));
        int exit = send.awaitExit(Duration.ofSeconds(60));
        assertThat(exit).as("%s:\n%s", command, send.log()).isEqualTo(expectedExit);
        return send.log();
    }

    static List<Path> versionsOf(Path inbox, String relative) throws IOException {
        Path area = inbox.resolve(".caravan/versions");
        if (!Files.isDirectory(area)) {
            return List.of();
        }
        try (Stream<Path> folders = Files.list(area)) {
            return folders.map(f -> f.resolve(relative)).filter(Files::exists).toList();
        }
    }
}
