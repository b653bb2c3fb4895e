package io.caravan.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A staging folder is named after the host and process that fill it, and one left by a process of this host that
 * is gone (an unpack stopped by SIGTERM or kill -9 mid-way, its partial data hidden in the destination) is removed
 * by the next staging made in that destination. One of a process still running, one of another host (a shared
 * file system), and anything else, are left alone.
 */
class StagingLeftByADeadProcessTest {

    @TempDir
    Path tmp;

    @Test
    void theStagingFolderOfAProcessThatIsGoneIsRemovedByTheNextOne() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        Path left = Files.createDirectories(dest.resolve(Staging.PREFIX + Staging.HOST + "." + gone.pid() + "-0123456789abcdef/data"));
        Files.write(left.resolve("partial.bin"), new byte[1000]);
        Path running = Files.createDirectories(dest.resolve(Staging.PREFIX + Staging.HOST + "." + ProcessHandle.current().pid()
                + "-fedcba9876543210"));
        Path otherHost = Files.createDirectories(dest.resolve(Staging.PREFIX + "elsewhere.example." + gone.pid() + "-0123456789abcdef"));
        Path other = Files.createDirectories(dest.resolve(".caravan-staging-notes"));

        try (Staging staging = Staging.create(dest)) {
            assertThat(staging.dir().getFileName().toString())
                    .startsWith(Staging.PREFIX + Staging.HOST + "." + ProcessHandle.current().pid() + "-");
        }

        assertThat(dest.resolve(Staging.PREFIX + Staging.HOST + "." + gone.pid() + "-0123456789abcdef")).doesNotExist();
        assertThat(running).isDirectory();
        assertThat(otherHost).as("another host's, on a shared file system").isDirectory();
        assertThat(other).isDirectory();
    }
}
