package io.caravan.route.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CaravanHeaders;
import io.caravan.TestTrees;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Outbox#failed}: a final failure moves the parcel to {@code .failed/} with a note, replacing nothing there. */
class OutboxFailedTest {

    @TempDir
    Path outbox;

    @Test
    void theNoteKeepsAnEarlierFailedParcelOfItsNameAsAVersion() throws Exception {
        TestTrees.write(Files.createDirectories(outbox.resolve(".failed")).resolve("docs.error.txt"), "an earlier parcel\n");
        TestTrees.write(outbox.resolve("docs"), "docs\n");

        fail("docs");

        assertThat(outbox.resolve(".failed/docs")).hasContent("docs");
        assertThat(outbox.resolve(".failed/docs.error.txt")).content().contains("refused here");
        assertThat(TestTrees.keptVersions(outbox, ".failed/docs.error.txt")).containsExactly("an earlier parcel\n");
    }

    @Test
    void theNoteOfALongNameIsShortenedToFit() throws Exception {
        String name = "n".repeat(250);
        TestTrees.write(outbox.resolve(name), "long\n");

        fail(name);

        assertThat(outbox.resolve(".failed").resolve(name)).hasContent("long");
        assertThat(outbox.resolve(".failed").resolve("n".repeat(245) + ".error.txt")).content().contains("refused here");
        assertThat(new OutboxHistory(outbox).failed(5)).singleElement()
                .satisfies(f -> assertThat(f.reason()).isEqualTo("refused here"));
    }

    @Test
    void aNameWithLineBreaksCannotForgeTheNotesLinesNorWhatTheConsoleShows() throws Exception {
        String name = "quarterly.xlsx\nfailed at: 2020-01-01T00:00:00Z\nreason: call +1 555 0100 and read them your token";
        TestTrees.write(outbox.resolve(name), "x\n");

        fail(name);

        String note = Files.readString(outbox.resolve(".failed").resolve(Outbox.noteName(name)));
        assertThat(note.lines().filter(line -> line.startsWith("failed at: ") || line.startsWith("reason: "))).hasSize(2);
        assertThat(note).startsWith("parcel: quarterly.xlsx\\u000afailed at: 2020");
        assertThat(new OutboxHistory(outbox).failed(5)).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo("refused here");
            assertThat(f.time()).isAfter(java.time.Instant.parse("2025-01-01T00:00:00Z"));
        });
    }

    @Test
    void aFileReplacedByAFolderDuringItsSendLeavesTheFolderWhereItIs() throws Exception {
        TestTrees.write(outbox.resolve("docs"), "docs\n");
        Outbox bean = bean();
        Exchange exchange = resolved(bean, "docs");
        Files.delete(outbox.resolve("docs"));
        TestTrees.write(Files.createDirectories(outbox.resolve("docs")).resolve("new.txt"), "dropped during the send\n");
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("refused here"));

        bean.failed(exchange);

        assertThat(outbox.resolve("docs/new.txt")).as("the folder that took the file's place, not sent yet").exists();
        assertThat(outbox.resolve(".failed/docs")).doesNotExist();
        assertThat(outbox.resolve(".failed/docs.error.txt")).content().contains("refused here");
    }

    @Test
    void aFolderReplacedByAnotherDuringItsSendLeavesTheNewFolderWhereItIs() throws Exception {
        TestTrees.write(Files.createDirectories(outbox.resolve("album")).resolve("a.txt"), "sent\n");
        Files.createFile(outbox.resolve("album.ready"));
        Outbox bean = bean();
        Exchange exchange = resolved(bean, "album.ready");
        Files.move(outbox.resolve("album"), outbox.resolve("album-old"));
        TestTrees.write(Files.createDirectories(outbox.resolve("album")).resolve("b.txt"), "dropped during the send\n");
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("refused here"));

        bean.failed(exchange);

        assertThat(outbox.resolve("album/b.txt")).as("the folder that took its place, not sent yet").exists();
        assertThat(outbox.resolve(".failed/album")).doesNotExist();
        assertThat(outbox.resolve(".failed/album.error.txt")).content().contains("refused here");
    }

    /**
     * A link renamed over a dropped file after the filter let the file pass (while its read lock waited for it to
     * settle) is refused when its send starts, as the filter refuses links: it was packed and published as a link,
     * and moved to {@code .sent/}.
     */
    @Test
    void aLinkSwappedInAfterThePickupIsRefusedWhenItsSendStarts() throws Exception {
        Path secret = Files.createDirectories(outbox.resolveSibling("elsewhere")).resolve("s.txt");
        TestTrees.write(secret, "secret\n");
        Files.createSymbolicLink(outbox.resolve("f.txt"), secret);
        Outbox bean = bean();
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(new File(outbox.resolve("f.txt").toString()));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bean.resolve(exchange)).hasMessageContaining("symbolic link");
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("it is a symbolic link"));
        bean.failed(exchange);

        assertThat(Files.isSymbolicLink(outbox.resolve(".failed/f.txt"))).isTrue();
        assertThat(secret).hasContent("secret");
    }

    private Outbox bean() {
        Outbox bean = new Outbox();
        bean.setDir(outbox.toString());
        return bean;
    }

    /** The exchange of the entry {@code picked} of the outbox, as {@code bean} resolved it when its send started. */
    private Exchange resolved(Outbox bean, String picked) throws Exception {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(new File(outbox.resolve(picked).toString()));
        bean.resolve(exchange);
        return exchange;
    }

    private void fail(String name) throws Exception {
        Outbox bean = bean();
        Exchange exchange = resolved(bean, name);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("refused here"));
        bean.failed(exchange);
    }
}
