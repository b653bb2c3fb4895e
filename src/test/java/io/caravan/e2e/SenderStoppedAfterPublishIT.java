package io.caravan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.TestTrees;
import io.caravan.pack.Chunk;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.ParcelUpload;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import io.caravan.util.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state a {@code caravan send} leaves when it is killed right after the receiver published its
 * parcel, before it noted the publish: its journal still names the session. Running the same
 * command again completes with nothing on the wire (it asks {@code /status}, which says the
 * session is finished) instead of sending the whole parcel again.
 */
class SenderStoppedAfterPublishIT {

    @RegisterExtension
    final CaravanProcess.Tracker processes = new CaravanProcess.Tracker();

    @TempDir
    Path dir;

    @Test
    void theSameSendAgainCompletesWithoutSendingAnything() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (int i = 1; i <= 3; i++) {
            TestTrees.random(photos.resolve("IMG_000" + i + ".raw"), (3L << 20) / 2 + i * 1000, 700 + i);
        }
        TestTrees.write(photos.resolve("readme.txt"), "three raw images\n");
        int port = E2e.freePort();
        processes.start(dir, "serve", E2e.serve(port, dir.resolve("inbox"))).awaitHttpReady(port);
        String url = "http://127.0.0.1:" + port;
        Path state = dir.resolve("state");

        // what `caravan send photos --to url --state-dir state --no-dedup` did before it was killed: every chunk, then
        // the finish (without dedup, so sending again would cost the whole parcel, not just references)
        // (its default codec, auto, whose levels the second send replays from the state folder)
        SenderSettings cli = new SenderSettings(url, null, new PackOptions(Codecs.byName("auto"),
                Codecs.level(Codecs.byName("auto"), null), 8L << 20, "photos"), 4, -1, state, Retry.DEFAULT);
        ParcelSender sender = new ParcelSender(cli);
        ParcelUpload upload = sender.open(photos, "photos");
        try (PackIterator chunks = new PackIterator(new Packer(cli.pack(), ProgressListener.NONE, upload.hooks()),
                List.of(photos))) {
            while (chunks.hasNext()) {
                Chunk chunk = chunks.next();
                upload.put(chunk);
                chunks.recycle(chunk);
            }
            sender.client().finish(upload.sessionId(), chunks.manifest().toJson());
        }
        assertThat(E2e.journalSessionId(state)).isEqualTo(upload.sessionId());
        long before = E2e.bytesReceived(port);

        CaravanProcess again = processes.start(dir, "send-again", "send", photos.toString(), "--to", url,
                "--state-dir", state.toString(), "--no-dedup", "-q");
        int exit = again.awaitExit(Duration.ofSeconds(60));
        String output = again.log();
        assertThat(exit).as(output).isZero();
        System.out.println("send again: " + E2e.onTheWire(output));

        assertThat(E2e.bytesReceived(port) - before).as("chunk bytes the receiver took").isZero();
        assertThat(E2e.onTheWire(output)).startsWith("on the wire: 0 B");
        assertThat(E2e.journalEntries(state)).isZero();
        E2e.assertSameTree(TreeSnapshot.of(photos), dir.resolve("inbox/photos"));
    }
}
