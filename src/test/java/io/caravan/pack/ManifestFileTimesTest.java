package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A single file's {@code file.mtime} must be a time a file can keep exactly: one that a file system
 * would clamp (past 2446, before 1902) is refused naming the field, never stored as another time.
 */
class ManifestFileTimesTest {

    private static final String SHA = "a".repeat(64);

    @Test
    void aTimeNoFileCanKeepIsRefusedNamingTheField() {
        for (String mtime : List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "2446-05-11T00:00:00Z",
                "1901-12-13T00:00:00Z")) {
            assertThatThrownBy(() -> withTime(mtime).validate()).as(mtime).isInstanceOf(ManifestException.class)
                    .hasMessageContaining("file.mtime").hasMessageContaining(mtime).hasMessageContaining("1902");
        }
    }

    @Test
    void timesFilesKeepAreAccepted() {
        for (String mtime : List.of("1969-07-20T20:17:40Z", "1970-01-01T00:00:00Z", "2026-12-05T05:00:00.123456789Z",
                "2262-04-12T00:00:00Z", "2446-05-09T23:59:59Z", "1902-01-01T00:00:00Z")) {
            assertThat(withTime(mtime).validate().file().mtime()).isEqualTo(mtime);
        }
    }

    private static Manifest withTime(String mtime) {
        return new Manifest(Manifest.VERSION, Manifest.FORMAT, "f", "none", null, 10, 1, 10, SHA, 1L, 10L,
                "2026-11-22T10:00:00Z", List.of(new ChunkInfo(0, 10, SHA)), new Manifest.FileFacts("f.txt", 0644, mtime));
    }
}
