package io.caravan.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A properties file that gives a key twice is refused, naming the file, the key and both lines; any other loads as java.util.Properties loads it. */
class PropertiesFileTest {

    @TempDir
    Path tmp;

    @Test
    void aShareNamedTwiceIsRefusedNamingTheFileTheKeyAndBothLines() throws Exception {
        Path file = Files.writeString(tmp.resolve("caravan.properties"),
                "# shares\ncaravan.shares.site = /srv/a\ncaravan.receiver.port = 9000\n\ncaravan.shares.site=/srv/b\n");
        assertThatThrownBy(() -> PropertiesFile.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("caravan.shares.site")
                .hasMessageContaining("lines 2 and 5").hasMessageNotContaining("\n");
    }

    @Test
    void anyKeyGivenTwiceIsRefusedHoweverItIsWritten() throws Exception {
        // the same key with another separator, leading blanks, an escape in its name, after a continued value
        Path file = Files.writeString(tmp.resolve("a.properties"),
                "caravan.role: sender\nother = a \\\n   still the value of other\n  caravan\\u002erole   receiver\n");
        assertThatThrownBy(() -> PropertiesFile.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caravan.role").hasMessageContaining("lines 1 and 4");
    }

    @Test
    void aFileWithoutRepeatsLoadsAsPropertiesLoadsIt() throws Exception {
        String text = "! comment\n# caravan.role = receiver\na = 1\nb : two \\\n  lines\nc\\ d = 3\nempty\n"
                + "# a comment ending in a backslash does not continue \\\nd = 4\n";
        Path file = Files.writeString(tmp.resolve("ok.properties"), text);
        Properties expected = new Properties();
        expected.load(new java.io.StringReader(text));
        assertThat(PropertiesFile.load(file)).isEqualTo(expected);
    }
}
