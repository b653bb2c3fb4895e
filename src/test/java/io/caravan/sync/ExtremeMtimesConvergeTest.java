package io.caravan.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.FileTimes;
import io.caravan.receiver.ReceiverFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mtimes before 1970 with a fraction of a second, and after 2262 (past a long of nanoseconds), are kept on the mirror
 * as they are, so the pass after finds nothing to send. The JDK set the first as 1970-01-01 (the system refuses its
 * negative nanoseconds and the JDK tried again with 0) and the second as 2262-04-11, and every pass sent them again,
 * keeping a version each time.
 */
class ExtremeMtimesConvergeTest {

    private static final Instant BEFORE_1970 = Instant.parse("1960-01-01T00:00:00.500Z");
    private static final Instant JUST_BEFORE_1970 = Instant.parse("1969-12-31T23:59:59.500Z");
    private static final Instant AFTER_2262 = Instant.parse("2400-01-01T00:00:00.250Z");
    /** Within the last millisecond before 1970: listed as -1 ms (floored), not 0 (truncated toward zero). */
    private static final Instant LAST_MILLISECOND_BEFORE_1970 = Instant.parse("1969-12-31T23:59:59.999999500Z");

    @TempDir
    Path tmp;

    @Test
    void filesAndFoldersWithExtremeMtimesConvergeInOnePass() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Path folder = Files.createDirectories(tree.resolve("d"));
        Files.writeString(folder.resolve("old.txt"), "old");
        Files.writeString(tree.resolve("late.txt"), "late");
        Files.writeString(tree.resolve("future.txt"), "future");
        // the JDK's own setter cannot set these, as said above
        FileTimes.setModified(folder.resolve("old.txt"), FileTime.from(BEFORE_1970));
        FileTimes.setModified(tree.resolve("late.txt"), FileTime.from(JUST_BEFORE_1970));
        FileTimes.setModified(tree.resolve("future.txt"), FileTime.from(AFTER_2262));
        Files.writeString(tree.resolve("edge.txt"), "edge");
        FileTimes.setModified(tree.resolve("edge.txt"), FileTime.from(LAST_MILLISECOND_BEFORE_1970));
        FileTimes.setModified(folder, FileTime.from(BEFORE_1970));
        assertThat(Files.getLastModifiedTime(tree.resolve("future.txt")).toInstant()).isEqualTo(AFTER_2262);
        assertThat(Files.getLastModifiedTime(folder).toInstant()).isEqualTo(BEFORE_1970);
        try (ReceiverFixture receiver = new ReceiverFixture(tmp.resolve("inbox"), Map.of())) {
            PushPass.once(tmp, receiver, "m");
            Path mirror = receiver.inbox().resolve("m");

            assertThat(Files.getLastModifiedTime(mirror.resolve("d/old.txt")).toInstant()).isEqualTo(BEFORE_1970);
            assertThat(Files.getLastModifiedTime(mirror.resolve("late.txt")).toInstant()).isEqualTo(JUST_BEFORE_1970);
            assertThat(Files.getLastModifiedTime(mirror.resolve("future.txt")).toInstant()).isEqualTo(AFTER_2262);
            assertThat(Files.getLastModifiedTime(mirror.resolve("d")).toInstant()).isEqualTo(BEFORE_1970);
            assertThat(Files.getLastModifiedTime(mirror.resolve("edge.txt")).toInstant()).as("to the millisecond, floored")
                    .isEqualTo(Instant.parse("1969-12-31T23:59:59.999Z"));
            assertThat(PushPass.once(tmp, receiver, "m")).contains("0 synced");
        }
    }
}
