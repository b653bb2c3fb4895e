package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.InPlaceChange;
import io.caravan.TestTrees;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large file changed in place between two sends, with its size kept and its mtime put back
 * (as some tools and an attacker do): the sender's hash cache keys on the file's identity
 * (device, inode, size, mtime, ctime), so it hashes the file again and sends its new content
 * instead of a reference to the old one. Both published trees equal the source as it was sent.
 */
class DedupInPlaceChangeIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void aFileChangedInPlaceWithItsMtimePutBackTravelsAsContent() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        TestTrees.random(photos.resolve("IMG_0001.raw"), (3L << 20) / 2, 801);
        TestTrees.random(photos.resolve("IMG_0002.raw"), (3L << 20) / 2 + 1000, 802);
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);

        send(photos, "first", port);
        E2e.assertSameTree(TreeSnapshot.of(photos), dir.resolve("inbox/first"));

        InPlaceChange.flipFirstByteKeepingSizeAndMtime(photos.resolve("IMG_0002.raw"));
        TreeSnapshot changed = TreeSnapshot.of(photos);
        send(photos, "second", port);

        E2e.assertSameTree(changed, dir.resolve("inbox/second"));
        assertThat(dir.resolve("inbox/second/IMG_0002.raw")).hasSameBinaryContentAs(photos.resolve("IMG_0002.raw"));
    }

    private void send(Path folder, String name, int port) throws Exception {
        CaravanProcess send = processes.start(dir, "send-" + name, "send", folder.toString(), name,
                "--to", "http://127.0.0.1:" + port, "--state-dir", dir.resolve("state").toString(), "-q");
        int exit = send.awaitExit(Duration.ofSeconds(60));
        assertThat(exit).as("send as '%s':\n%s", name, send.log()).isZero();
        System.out.println("send as '" + name + "': " + E2e.onTheWire(send.log()));
    }
}
