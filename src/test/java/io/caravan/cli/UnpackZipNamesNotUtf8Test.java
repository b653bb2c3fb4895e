package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.PythonZip;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zip entry whose name is not UTF-8 (whether or not the zip marks its names UTF-8) is refused naming
 * its bytes and saying how to make the zip again, and nothing is published: two such names that differ
 * only in those bytes never land on one file, as with a tar ({@link UnpackNamesNotUtf8Test}). So is a
 * symbolic link whose target is not UTF-8.
 */
class UnpackZipNamesNotUtf8Test {

    @TempDir
    Path tmp;

    @Test
    void twoNamesNotMarkedUtf8ThatDifferInBytesThatAreNotUtf8AreRefusedNotMerged() throws Exception {
        // names written as ASCII placeholders, then their bytes patched (local headers and central directory)
        String err = refused("with zipfile.ZipFile(p, 'w') as z:\n"
                + "    z.writestr('top/ok.txt', b'ok')\n"
                + "    z.writestr('top/a1b', b'one')\n"
                + "    z.writestr('top/a2b', b'two')\n"
                + "data = open(p, 'rb').read().replace(b'top/a1b', b'top/a\\xffb').replace(b'top/a2b', b'top/a\\xfeb')\n"
                + "open(p, 'wb').write(data)");

        assertThat(err).contains("top/a\\xffb").contains("its name is not UTF-8 (the zip does not mark it UTF-8)")
                .contains("re-create the zip with UTF-8 names").doesNotContain("?");
    }

    @Test
    void aNameMarkedUtf8WhoseBytesAreNotIsRefused() throws Exception {
        // Python marks a name beyond ASCII UTF-8 (flag 0x800); its two bytes are then made invalid
        String err = refused("with zipfile.ZipFile(p, 'w') as z:\n"
                + "    z.writestr('top/a\\u00e9b', b'x')\n"
                + "data = open(p, 'rb').read().replace(b'top/a\\xc3\\xa9b', b'top/a\\xff\\xfeb')\n"
                + "open(p, 'wb').write(data)");

        assertThat(err).contains("top/a\\xff\\xfeb").contains("its name is not UTF-8 (the zip marks it UTF-8)");
    }

    @Test
    void aSymbolicLinkWhoseTargetIsNotUtf8IsRefused() throws Exception {
        String err = refused("with zipfile.ZipFile(p, 'w') as z:\n"
                + "    i = zipfile.ZipInfo('top/link'); i.create_system = 3; i.external_attr = (0o120777 << 16)\n"
                + "    z.writestr(i, b't\\xffx')");

        assertThat(err).contains("top/link").contains("its link target 't\\xffx' is not UTF-8");
    }

    /** A NUL byte is UTF-8 but in no path: the entry is refused by name (it was a usage error, exit 2, naming none). */
    @Test
    void aSymbolicLinkWhoseTargetHoldsANulIsRefusedNamingIt() throws Exception {
        String err = refused("with zipfile.ZipFile(p, 'w') as z:\n"
                + "    i = zipfile.ZipInfo('top/link'); i.create_system = 3; i.external_attr = (0o120777 << 16)\n"
                + "    z.writestr(i, b'a\\x00b')");

        assertThat(err).contains("top/link").contains("NUL").doesNotContain("--help");
    }

    @Test
    void utf8NamesMarkedOrNotAreUnpacked() throws Exception {
        // the second name is UTF-8 without the flag, as some tools write it
        CliRunner.Result unpack = unpack("with zipfile.ZipFile(p, 'w') as z:\n"
                + "    z.writestr('top/\\u00e9.txt', b'x')\n"
                + "    z.writestr('top/XX.txt', b'y')\n"
                + "data = open(p, 'rb').read().replace(b'top/XX.txt', b'top/\\xc3\\xa8.txt')\n"
                + "open(p, 'wb').write(data)");

        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        assertThat(tmp.resolve("dest/top/é.txt")).hasContent("x");
        assertThat(tmp.resolve("dest/top/è.txt")).hasContent("y");
    }

    /** What {@code caravan unpack} of the zip {@code script} makes says when it refuses it, having published nothing. */
    private String refused(String script) throws Exception {
        CliRunner.Result unpack = unpack(script);
        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(tmp.resolve("dest/top")).doesNotExist();
        return unpack.err();
    }

    /** {@code caravan unpack} of the zip {@code script} makes, into {@code dest}. */
    private CliRunner.Result unpack(String script) throws Exception {
        Path zip = PythonZip.make(tmp.resolve("made.zip"), script);
        return CliRunner.run("unpack", zip.toString(), tmp.resolve("dest").toString(), "-q");
    }
}
