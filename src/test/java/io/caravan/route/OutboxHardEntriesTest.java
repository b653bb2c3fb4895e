package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.LoggedWarnings;
import io.caravan.TestTrees;
import io.caravan.receiver.ReceiverFixture;
import io.caravan.receiver.RunningReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox of {@code caravan run --role sender} with entries it cannot send as they are: a file
 * replaced while it is sent is sent again, names that are not UTF-8, dangling links, special files and
 * names the receiver would refuse are refused once, each with a warning, and never hold back the others;
 * a marker without its folder is never sent itself but waits, named in one warning, until the folder
 * appears; nothing written into {@code .sent/} replaces what is there.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:application.properties")
class OutboxHardEntriesTest {

    @TempDir
    static Path receiving;
    @RegisterExtension
    static final RunningReceiver RECEIVER = RunningReceiver.at(() -> receiving.resolve("inbox"));

    @TempDir
    Path tmp;
    @BeanInject
    CamelContext context;

    @Configure
    void configure(MainConfigurationProperties configuration) {
        YamlRoutes.configure(configuration, YamlRoutes.httpSender(tmp, RECEIVER.fixture().port(),
                "caravan.sender.folder-quiet-period", "1s", "caravan.sender.bwlimit", "256KiB"), "outbox", "ship-http");
    }

    @Test
    void aFileReplacedDuringItsSendIsSentAgainWithItsNewContent(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        TestTrees.random(staging.resolve("old.bin"), 768 * 1024, 1); // 3 s at 256 KiB/s
        TestTrees.random(staging.resolve("new.bin"), 100_000, 2);
        byte[] replacement = Files.readAllBytes(staging.resolve("new.bin"));
        NotifyBuilder started = new NotifyBuilder(context).fromRoute("outbox-pickup").whenReceived(1).create();

        Files.move(staging.resolve("old.bin"), outbox.resolve("rep.bin"), StandardCopyOption.ATOMIC_MOVE);
        assertThat(started.matches(30, TimeUnit.SECONDS)).as("the send started").isTrue();
        Thread.sleep(1000);
        Files.move(staging.resolve("new.bin"), outbox.resolve("rep.bin"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);

        await("the new content delivered").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.isRegularFile(receiver.inbox().resolve("rep.bin"))
                        && Arrays.equals(Files.readAllBytes(receiver.inbox().resolve("rep.bin")), replacement)
                        && !Files.exists(outbox.resolve("rep.bin")));
        assertThat(outbox.resolve(".sent/rep.bin")).hasBinaryContent(replacement);
    }

    @Test
    void aFileWrittenToDuringItsSendIsSentAgainWhole(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        TestTrees.random(staging.resolve("whole.bin"), 1024 * 1024, 3);
        byte[] whole = Files.readAllBytes(staging.resolve("whole.bin"));
        NotifyBuilder started = new NotifyBuilder(context).fromRoute("outbox-pickup").whenReceived(1).create();

        try (var out = Files.newOutputStream(outbox.resolve("torn.bin"))) {
            out.write(whole, 0, 512 * 1024); // 2 s at 256 KiB/s
            out.flush();
            assertThat(started.matches(30, TimeUnit.SECONDS)).as("the send started with half the file").isTrue();
            Thread.sleep(500);
            out.write(whole, 512 * 1024, whole.length - 512 * 1024);
        }

        await("the whole file delivered").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.isRegularFile(receiver.inbox().resolve("torn.bin"))
                        && Arrays.equals(Files.readAllBytes(receiver.inbox().resolve("torn.bin")), whole)
                        && !Files.exists(outbox.resolve("torn.bin")));
        assertThat(outbox.resolve(".sent/torn.bin")).hasBinaryContent(whole);
    }

    @Test
    void aFolderChangedDuringItsSendIsSentAgainWithTheChange(ReceiverFixture receiver) throws Exception {
        Path outbox = folderBeingSent("album", 512 * 1024, 4, receiver); // 2 s at 256 KiB/s
        Files.writeString(outbox.resolve("album/late.txt"), "added while the folder was being sent");

        await("the folder delivered with the file added during its send").atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Files.isRegularFile(receiver.inbox().resolve("album/late.txt"))
                        && !Files.exists(outbox.resolve("album")));
        assertThat(receiver.inbox().resolve("album/a.bin")).hasSameBinaryContentAs(outbox.resolve(".sent/album/a.bin"));
        assertThat(outbox.resolve(".sent/album/late.txt")).exists();
    }

    @Test
    void aFolderReplacedByAFileOfItsNameDuringItsSendIsNotSentTwiceAtOnce(ReceiverFixture receiver) throws Exception {
        Path outbox = folderBeingSent("swap", 768 * 1024, 5, receiver); // 3 s at 256 KiB/s
        TestTrees.write(tmp.resolve("staging/swap-file"), "the file that took the folder's place\n");

        Files.move(outbox.resolve("swap"), tmp.resolve("staging/swap-folder"), StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp.resolve("staging/swap-file"), outbox.resolve("swap"), StandardCopyOption.ATOMIC_MOVE);

        await("both sends ended").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> !Files.exists(outbox.resolve("swap.ready")) && !Files.exists(outbox.resolve("swap"))
                        && context.getInflightRepository().size() == 0);
        assertThat(receiver.inbox().resolve("swap/a.bin")).as("the folder published whole")
                .hasSameBinaryContentAs(tmp.resolve("staging/swap-folder/a.bin"));
        assertThat(outbox.resolve(".sent/swap.ready")).exists();
        // then the file of its name: a folder is not replaced by a file unless asked (409), and the note says so
        assertThat(outbox.resolve(".failed/swap")).hasContent("the file that took the folder's place");
        assertThat(outbox.resolve(".failed/swap.error.txt")).content().contains("is a folder and would be replaced by a file")
                .doesNotContain("404");
    }

    /** Drops the folder {@code name} holding {@code a.bin} of {@code size} random bytes, with its marker; returns the outbox once the receiver holds its first bytes. */
    private Path folderBeingSent(String name, int size, long seed, ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path folder = Files.createDirectories(tmp.resolve("staging").resolve(name));
        TestTrees.random(folder.resolve("a.bin"), size, seed);
        Files.move(folder, outbox.resolve(name));
        NotifyBuilder started = new NotifyBuilder(context).fromRoute("outbox-pickup").whenReceived(1).create();
        Files.createFile(outbox.resolve(name + ".ready"));
        assertThat(started.matches(30, TimeUnit.SECONDS)).as("the send of the folder started").isTrue();
        await("the folder's first bytes at the receiver").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> receivedBytes(receiver) > 0);
        return outbox;
    }

    /** Bytes of chunks the receiver holds in its sessions (its state folder's session folders). */
    private static long receivedBytes(ReceiverFixture receiver) throws Exception {
        Path sessions = receiver.inbox().resolve(".caravan/sessions");
        if (!Files.isDirectory(sessions)) {
            return 0;
        }
        try (var files = Files.walk(sessions)) {
            return files.filter(Files::isRegularFile).filter(f -> f.getParent().getFileName().toString().equals("chunks"))
                    .mapToLong(f -> f.toFile().length()).sum();
        }
    }

    @Test
    void aFolderWhoseNameIsNotUtf8IsNeitherMarkedNorSent(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        // beside it a folder as quiet with a UTF-8 name: once that one is marked and sent, the other would have been too
        shell(outbox, "mkdir \"$(printf 'fold\\351r')\" && echo x > \"$(printf 'fold\\351r')/a.txt\""
                + " && touch -d '1 hour ago' \"$(printf 'fold\\351r')/a.txt\" \"$(printf 'fold\\351r')\""
                + " && mkdir quiet && echo x > quiet/a.txt && touch -d '1 hour ago' quiet/a.txt quiet");

        await("the quiet folder with a UTF-8 name marked and sent").atMost(Duration.ofSeconds(30))
                .until(() -> Files.isDirectory(outbox.resolve(".sent/quiet")) && !Files.exists(outbox.resolve("quiet.ready")));
        dropAndAwait(outbox, "after.txt", receiver);

        assertThat(receiver.inbox().resolve("quiet/a.txt")).hasContent("x");
        assertThat(rawNames(outbox)).containsExactlyInAnyOrder("fold\\351r", ".sent");
        assertThat(names(outbox.resolve(".sent"))).filteredOn(n -> !n.startsWith("quiet")).containsExactly("after.txt");
    }

    @Test
    void entriesItCannotSendAreRefusedAndHoldNothingBack(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        shell(outbox, "echo x > \"$(printf 'fil\\351.txt')\" && ln -s nowhere dangling && mkfifo pipe"
                + " && echo x > 'back\\slash.txt' && echo x > " + "l".repeat(250));

        dropAndAwait(outbox, "after.txt", receiver);

        Path failed = outbox.resolve(".failed");
        await("the refused entries moved to .failed").atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(failed.resolve("back\\slash.txt"))
                        && Files.exists(failed.resolve("dangling"), LinkOption.NOFOLLOW_LINKS));
        assertThat(failed.resolve("back\\slash.txt.error.txt")).content().contains("backslash");
        assertThat(failed.resolve("dangling.error.txt")).content().contains("link");
        assertThat(outbox.resolve("pipe")).as("the FIFO is left alone").exists();
        assertThat(names(outbox.resolve(".sent"))).doesNotContain("pipe", "dangling");
        assertThat(rawNames(outbox)).contains("fil\\351.txt", "pipe");
        String longName = "l".repeat(250);
        await("the long name sent or refused").atMost(Duration.ofSeconds(20))
                .until(() -> !Files.exists(outbox.resolve(longName)));
        assertThat(Files.exists(outbox.resolve(".sent").resolve(longName))
                || Files.exists(failed.resolve(longName))).as("the long name sent or in .failed").isTrue();
    }

    /**
     * A symbolic link at the top of the outbox is refused, never followed: a drop folder others may write to would
     * otherwise send whatever this process can read. A link to a folder was taken for a folder, marked ready, sent
     * (as a link to the sender's own path, none of the folder's content) and, never moved, sent again every few
     * seconds with a version kept on both sides each time; a link to a file was published as that link.
     */
    @Test
    void linksAtTheTopAreRefusedOnceAndNeverFollowed(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/folder"));
        TestTrees.write(elsewhere.resolve("secret.txt"), "not for the receiver\n");
        TestTrees.write(tmp.resolve("elsewhere/file.txt"), "nor this\n");
        Files.createSymbolicLink(outbox.resolve("linkdir"), elsewhere);
        Files.createSymbolicLink(outbox.resolve("linkfile.txt"), tmp.resolve("elsewhere/file.txt"));

        dropAndAwait(outbox, "after.txt", receiver);
        Path failed = outbox.resolve(".failed");
        await("both links moved to .failed").atMost(Duration.ofSeconds(20))
                .until(() -> Files.isSymbolicLink(failed.resolve("linkdir")) && Files.isSymbolicLink(failed.resolve("linkfile.txt")));
        Thread.sleep(3000); // the folder timer and the poll run again

        assertThat(failed.resolve("linkdir.error.txt")).content().contains("symbolic link", "not follow");
        assertThat(failed.resolve("linkfile.txt.error.txt")).content().contains("symbolic link", "itself");
        assertThat(receiver.inbox().resolve("linkdir")).doesNotExist();
        assertThat(receiver.inbox().resolve("linkfile.txt")).doesNotExist();
        assertThat(outbox.resolve("linkdir.ready")).doesNotExist();
        assertThat(names(outbox.resolve(".sent"))).containsExactly("after.txt");
        assertThat(elsewhere.resolve("secret.txt")).hasContent("not for the receiver");
    }

    @Test
    void aMarkerWithoutItsFolderIsNeverSentItselfAndWaitsForTheFolder(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        try (LoggedWarnings warnings = new LoggedWarnings()) {
            Files.createFile(outbox.resolve("photos.ready"));
            Thread.sleep(5000); // several polls, each past the settle time

            assertThat(receiver.inbox().resolve("photos.ready")).doesNotExist();
            assertThat(outbox.resolve("photos.ready")).exists();
            assertThat(outbox.resolve(".sent")).doesNotExist();
            assertThat(outbox.resolve(".failed")).doesNotExist();
            assertThat(warnings.containing("photos.ready")).as("one warning names the marker and what to do")
                    .singleElement().asString().contains("'photos'", "waits", "delete");

            Path staging = Files.createDirectories(tmp.resolve("staging/photos"));
            TestTrees.write(staging.resolve("cat.txt"), "meow\n");
            Files.move(staging, outbox.resolve("photos"), StandardCopyOption.ATOMIC_MOVE);
            await("the folder sent").atMost(Duration.ofSeconds(30))
                    .until(() -> Files.isDirectory(outbox.resolve(".sent/photos")) && !Files.exists(outbox.resolve("photos.ready")));
            assertThat(receiver.inbox().resolve("photos/cat.txt")).hasContent("meow");
            assertThat(receiver.inbox().resolve("photos.ready")).doesNotExist();
            assertThat(outbox.resolve(".sent/photos.ready")).isEmptyFile();
            assertThat(warnings.containing("photos.ready")).hasSize(1);
        }
    }

    @Test
    void aSentFolderKeepsAnEarlierSentFileNamedLikeItsMarker(ReceiverFixture receiver) throws Exception {
        Path outbox = Files.createDirectories(tmp.resolve("outbox"));
        TestTrees.write(Files.createDirectories(outbox.resolve(".sent")).resolve("rep2.ready"), "an earlier parcel\n");
        Path staging = Files.createDirectories(tmp.resolve("staging/rep2"));
        TestTrees.write(staging.resolve("a.txt"), "a\n");
        Files.move(staging, outbox.resolve("rep2"), StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(outbox.resolve("rep2.ready"));

        await("the folder sent").atMost(Duration.ofSeconds(30)).until(() -> Files.isDirectory(outbox.resolve(".sent/rep2"))
                && !Files.exists(outbox.resolve("rep2.ready")));
        assertThat(TestTrees.keptVersions(outbox, ".sent/rep2.ready")).containsExactly("an earlier parcel\n");
    }

    private void dropAndAwait(Path outbox, String name, ReceiverFixture receiver) throws IOException {
        Path staged = Files.createDirectories(tmp.resolve("staging")).resolve(name);
        TestTrees.write(staged, "after\n");
        Files.move(staged, outbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        await(name + " delivered").atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(receiver.inbox().resolve(name)) && Files.exists(outbox.resolve(".sent").resolve(name)));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** The names in {@code dir} as bytes, those outside ASCII printed as octal escapes ({@code \351}). */
    private static List<String> rawNames(Path dir) throws Exception {
        Process ls = new ProcessBuilder("sh", "-c", "ls -A -b").directory(dir.toFile()).start();
        String out = new String(ls.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(ls.waitFor()).isZero();
        return out.lines().filter(l -> !l.isEmpty()).filter(l -> !l.equals(".caravan")).toList();
    }

    private static void shell(Path dir, String script) throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", script).directory(dir.toFile()).inheritIO().start();
        assertThat(sh.waitFor()).as(script).isZero();
    }
}
