package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.PythonZip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan unpack} of a zip checks each entry against its central directory: a flipped byte
 * (a CRC-32 that is not the declared one) or content that goes on past the declared size fails the
 * unpack naming the entry, nothing is published and a file already in the destination keeps its bytes;
 * so does a central directory that holds other entries than the zip's end record declares.
 */
class ZipEntryIntegrityTest {

    private static final String CONTENT = "hello caravan\n";

    @TempDir
    Path tmp;

    @Test
    void aStoredEntryWithAFlippedByteFailsTheUnpackAndTheExistingFileStays() throws Exception {
        Path zip = python("with zipfile.ZipFile(p, 'w', zipfile.ZIP_STORED) as z:\n"
                + "    z.writestr('docs/a.txt', b'fine')\n"
                + "    z.writestr('docs/b.txt', b'" + CONTENT.replace("\n", "\\n") + "' * 10)\n"
                + "data = bytearray(open(p, 'rb').read()); i = data.index(b'hello caravan'); data[i] ^= 1\n"
                + "open(p, 'wb').write(data)");
        Path destination = tmp.resolve("dest");
        Files.createDirectories(destination.resolve("docs"));
        Files.writeString(destination.resolve("docs/b.txt"), "old\n");

        CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), destination.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("entry 'docs/b.txt' is damaged: its CRC-32 is").contains("the zip says");
        assertThat(Files.readString(destination.resolve("docs/b.txt"))).isEqualTo("old\n");
        try (Stream<Path> left = Files.list(destination.resolve("docs"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("b.txt");
        }
    }

    @Test
    void anEntryWhoseDeflateStreamHoldsMoreThanItsDeclaredSizeFailsTheUnpack() throws Exception {
        // 100 MiB of zeros deflated, declared (locally and in the central directory) as 10 bytes with their CRC-32
        Path zip = python("with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as z:\n"
                + "    z.writestr('docs/big.bin', bytes(100 << 20))\n"
                + "data = bytearray(open(p, 'rb').read()); c = data.rindex(b'PK\\x01\\x02'); crc = zlib.crc32(bytes(10))\n"
                + "struct.pack_into('<I', data, 22, 10); struct.pack_into('<I', data, 14, crc)\n"
                + "struct.pack_into('<I', data, c + 24, 10); struct.pack_into('<I', data, c + 16, crc)\n"
                + "open(p, 'wb').write(data)");
        Path destination = tmp.resolve("dest");

        CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), destination.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("entry 'docs/big.bin' is damaged: it holds more than the 10 bytes the zip declares");
        assertThat(destination.resolve("docs")).doesNotExist();
    }

    @Test
    void aZipWhoseEndRecordDeclaresOtherEntriesThanItsDirectoryHoldsFailsTheUnpack() throws Exception {
        Path zip = python("with zipfile.ZipFile(p, 'w') as z:\n"
                + "    for i in range(3):\n        z.writestr('docs/f%d' % i, b'x')\n"
                + "data = bytearray(open(p, 'rb').read()); e = data.rindex(b'PK\\x05\\x06')\n"
                + "struct.pack_into('<HH', data, e + 8, 5, 5)\n"
                + "open(p, 'wb').write(data)");
        Path destination = tmp.resolve("dest");

        CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), destination.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("its end record declares 5 entries, its central directory holds 3");
        assertThat(destination.resolve("docs")).doesNotExist();
    }

    @Test
    void intactZipsStillUnpack() throws Exception {
        Path zip = python("with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as z:\n"
                + "    z.writestr('docs/', b'')\n"
                + "    z.writestr('docs/b.txt', b'" + CONTENT.replace("\n", "\\n") + "' * 10)\n"
                + "    z.writestr('docs/empty.txt', b'')\n"
                + "    i = zipfile.ZipInfo('docs/link'); i.create_system = 3; i.external_attr = (0o120777 << 16)\n"
                + "    z.writestr(i, 'b.txt')");
        Path destination = tmp.resolve("dest");

        CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), destination.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        assertThat(Files.readString(destination.resolve("docs/b.txt"))).isEqualTo(CONTENT.repeat(10));
        assertThat(Files.readSymbolicLink(destination.resolve("docs/link"))).isEqualTo(Path.of("b.txt"));
    }

    /** A zip made by Python ({@code p} is its path; zipfile, struct and zlib are imported). */
    private Path python(String script) throws Exception {
        return PythonZip.make(tmp.resolve("made.zip"), script);
    }
}
