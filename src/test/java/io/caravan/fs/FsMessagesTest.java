package io.caravan.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** {@link FsMessages}: a failed file operation in words, never a descriptor path. */
class FsMessagesTest {

    @Test
    void failuresAreWordsWithoutDescriptorPaths() {
        assertThat(FsMessages.reason(new AccessDeniedException("/tmp/x/.caravan-follow"))).isEqualTo("permission denied");
        assertThat(FsMessages.reason(new FileAlreadyExistsException("/proc/self/fd/127/./x")))
                .isEqualTo("something else is already there");
        assertThat(FsMessages.reason(new FileSystemException("/proc/self/fd/3/./x", null, "Read-only file system")))
                .isEqualTo("Read-only file system");
        assertThat(FsMessages.reason(new IOException("/proc/self/fd/127/./x: gone"))).isEqualTo("x: gone");
    }
}
