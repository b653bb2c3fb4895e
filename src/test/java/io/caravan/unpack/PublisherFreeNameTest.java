package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.NameRules;
import io.caravan.fs.Versions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** on-conflict rename: {@code name (1)} beside the existing entry, never longer than a file name may be. */
class PublisherFreeNameTest {

    @TempDir
    Path tmp;

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void theNumberGoesBeforeTheExtension() {
        assertThat(Publisher.renamed("report.txt", 1)).isEqualTo("report (1).txt");
        assertThat(Publisher.renamed("keep", 2)).isEqualTo("keep (2)");
        assertThat(Publisher.renamed(".profile", 1)).isEqualTo(".profile (1)");
    }

    @Test
    void aFullLengthNameIsShortenedKeepingItsExtension() {
        String leaf = "x".repeat(251) + ".txt";
        String renamed = Publisher.renamed(leaf, 1);
        assertThat(bytes(renamed)).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
        assertThat(renamed).startsWith("xxxx").endsWith(" (1).txt");
        assertThat(bytes(Publisher.renamed(leaf, 1000))).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
    }

    @Test
    void aFullLengthMultiByteNameIsCutOnACharacterBoundary() {
        String leaf = "é".repeat(124) + "a.txt\u00e9"; // 255 bytes, a short extension with a 2-byte character
        String renamed = Publisher.renamed(leaf, 7);
        assertThat(bytes(renamed)).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
        assertThat(renamed).endsWith(" (7).txt\u00e9");
        assertThat(NameRules.segmentProblem(renamed)).isNull();
    }

    @Test
    void anOverlongExtensionIsNotKeptAtTheCostOfTheWholeStem() {
        String leaf = "a." + "b".repeat(253);
        String renamed = Publisher.renamed(leaf, 1);
        assertThat(bytes(renamed)).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
        assertThat(renamed).startsWith("a.bbb").endsWith(" (1)");
    }

    @Test
    void renamingAFullLengthFileAndFolderPublishesBesideThem() throws Exception {
        Path inbox = Files.createDirectory(tmp.resolve("inbox"));
        String file = "f".repeat(251) + ".dat";
        String folder = "d".repeat(255);
        Files.writeString(inbox.resolve(file), "old");
        Files.createDirectory(inbox.resolve(folder));
        Path staging = Files.createDirectory(tmp.resolve("staging"));
        Files.writeString(staging.resolve("one"), "new");
        Files.createDirectory(staging.resolve("two"));
        Publisher publisher = new Publisher(inbox, Versions.none());
        Publisher.Policy rename = Publisher.Policy.of(OnConflict.RENAME);

        String first = publisher.publish(staging, "one", file, rename);
        String second = publisher.publish(staging, "two", folder, rename);

        assertThat(bytes(first)).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
        assertThat(first).endsWith(" (1).dat");
        assertThat(inbox.resolve(first)).hasContent("new");
        assertThat(inbox.resolve(file)).hasContent("old");
        assertThat(second).endsWith(" (1)");
        assertThat(inbox.resolve(second)).isDirectory();
        assertThat(inbox.resolve(folder)).isDirectory();
    }

    /** A name that is already a numbered copy goes on counting from its number: 'rn (2).txt', not 'rn (1) (1).txt'. */
    @Test
    void aNumberedNameThatIsTakenGetsTheNextNumber() throws Exception {
        Path inbox = Files.createDirectory(tmp.resolve("inbox"));
        for (String name : new String[] {"rn.txt", "rn (1).txt", "keep (3)", "report (1) final.txt"}) {
            Files.writeString(inbox.resolve(name), "old");
        }
        Path staging = Files.createDirectory(tmp.resolve("staging"));
        for (String name : new String[] {"a", "b", "c"}) {
            Files.writeString(staging.resolve(name), "new " + name);
        }
        Publisher publisher = new Publisher(inbox, Versions.none());
        Publisher.Policy rename = Publisher.Policy.of(OnConflict.RENAME);

        assertThat(publisher.publish(staging, "a", "rn (1).txt", rename)).isEqualTo("rn (2).txt");
        assertThat(publisher.publish(staging, "b", "keep (3)", rename)).isEqualTo("keep (4)");
        assertThat(publisher.publish(staging, "c", "report (1) final.txt", rename)).isEqualTo("report (1) final (1).txt");
        assertThat(inbox.resolve("rn (1).txt")).hasContent("old");
    }
}
