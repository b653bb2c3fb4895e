package io.caravan.receiver;

import static io.caravan.receiver.ReceiverCalls.assertPublished;
import static io.caravan.receiver.ReceiverCalls.finish;
import static io.caravan.receiver.ReceiverCalls.putAll;
import static io.caravan.receiver.ReceiverCalls.range;
import static io.caravan.receiver.ReceiverCalls.sessionDir;
import static io.caravan.receiver.ReceiverCalls.startArchive;
import static io.caravan.receiver.ReceiverCalls.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.LoggedWarnings;
import io.caravan.receiver.ReceiverCalls.Parcel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver whose session state was tampered with while it was stopped (a link, a pipe or an endless
 * device where a session's files belong, a link as its sessions folder) starts without following,
 * waiting on or reading past any of it, drops the session concerned with a warning, and serves the
 * others; a link as the sessions folder stops the start with a message naming it, and nothing outside
 * the inbox changes.
 */
class ReceiverSessionStateLinksTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSessionWithPlantedFilesIsDroppedAndTheOthersResume() throws Exception {
        Path inbox = tmp.resolve("inbox");
        Parcel parcel = ReceiverCalls.smallParcel(tmp, "kept", 300_000, 7);
        try (ReceiverFixture receiver = new ReceiverFixture(inbox)) {
            String kept = startArchive(receiver, "kept");
            putAll(receiver, kept, parcel, range(0, 1));
            String endless = startArchive(receiver, "endless");
            String piped = startArchive(receiver, "piped");

            Path meta = sessionDir(receiver, endless).resolve("meta.json");
            Files.delete(meta);
            Files.createSymbolicLink(meta, Path.of("/dev/zero"));
            Path pipe = sessionDir(receiver, piped).resolve("meta.json");
            Files.delete(pipe);
            assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();

            try (LoggedWarnings warnings = new LoggedWarnings()) {
                receiver.restart(); // what was planted meanwhile is found by the start
                assertThat(warnings.containing(endless)).anySatisfy(w -> assertThat(w).contains("meta.json"));
                assertThat(warnings.containing(piped)).anySatisfy(w -> assertThat(w).contains("meta.json"));
            }
            assertThat(status(receiver, endless).statusCode()).isEqualTo(404);
            putAll(receiver, kept, parcel, range(1, parcel.count()));
            assertPublished(receiver, finish(receiver, kept, parcel), parcel, "kept");
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkAsTheSessionsFolderStopsTheStartAndNothingOutsideChanges() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox/.caravan")).getParent();
        Path outside = Files.createDirectories(tmp.resolve("outside/leftover"));
        Files.writeString(outside.resolve("notes.txt"), "user data\n");
        Files.createSymbolicLink(inbox.resolve(".caravan/sessions"), outside.getParent());

        assertThatThrownBy(() -> new ReceiverFixture(inbox).close())
                .satisfies(e -> assertThat(messages(e)).contains(".caravan/sessions").contains("symbolic link"));

        assertThat(Files.readString(outside.resolve("notes.txt"))).isEqualTo("user data\n");
        try (Stream<Path> listed = Files.list(outside.getParent())) {
            assertThat(listed).containsExactly(outside);
        }
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
