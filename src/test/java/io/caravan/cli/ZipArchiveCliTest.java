package io.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CliRunner;
import io.caravan.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan pack --format zip} writes one zip that unzip and Python's zipfile read, and
 * {@code caravan unpack} of a {@code .zip} extracts with the tar rules: staging, merge on publish,
 * and refusal of names that escape and links that point out.
 */
class ZipArchiveCliTest {

    @TempDir
    Path tmp;

    @AfterEach
    void unlock() throws Exception {
        try (Stream<Path> walk = Files.walk(tmp)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.getFileName().toString().equals("locked") && Files.isDirectory(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        }
    }

    @Test
    void packWritesOneZipThatOtherToolsAndUnpackRead() throws Exception {
        Path source = TestTrees.fidelityTree(tmp.resolve("src"), "docs");
        CliRunner.Result pack = CliRunner.run("pack", source.toString(), "--format", "zip", "--out", tmp.resolve("out/docs").toString(), "-q");
        assertThat(pack.exitCode()).as(pack.err()).isZero();
        try (Stream<Path> written = Files.list(tmp.resolve("out"))) {
            assertThat(written.map(p -> p.getFileName().toString())).containsExactly("docs.zip");
        }
        Path zip = tmp.resolve("out/docs.zip");
        run(tmp, "unzip", "-t", zip.toString());
        run(tmp, "python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None;"
                + " n=z.namelist(); assert 'docs/中文 文件.txt' in n, n;"
                + " assert z.read('docs/plain.txt') == b'hello caravan\\n' * 100", zip.toString());
        Path unzipped = Files.createDirectories(tmp.resolve("unzipped"));
        run(unzipped, "unzip", "-q", zip.toString());
        assertThat(TestTrees.describe(unzipped.resolve("docs"))).isEqualTo(TestTrees.describe(source));

        Path restored = tmp.resolve("restored");
        Files.createDirectories(restored.resolve("docs"));
        Files.writeString(restored.resolve("docs/mine.txt"), "kept\n");
        CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), restored.toString(), "-q");
        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        java.util.Map<String, String> expected = new java.util.TreeMap<>(TestTrees.describe(source));
        expected.put("mine.txt", TestTrees.describe(restored.resolve("docs")).get("mine.txt"));
        assertThat(TestTrees.describe(restored.resolve("docs"))).isEqualTo(expected);
        assertThat(Files.getPosixFilePermissions(restored.resolve("docs/bin/run.sh")))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
        try (Stream<Path> left = Files.list(restored)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("docs");
        }
    }

    @Test
    void unpackOfAZipMadeByPythonReadsIt() throws Exception {
        Path zip = python("z.writestr('made/by/python.txt', 'hi')");
        Path out = tmp.resolve("out");
        CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), out.toString(), "-q");
        assertThat(unpack.exitCode()).as(unpack.err()).isZero();
        assertThat(Files.readString(out.resolve("made/by/python.txt"))).isEqualTo("hi");
    }

    @Test
    void hostileZipsAreRefusedAndNothingIsWritten() throws Exception {
        String[][] cases = {
            {"z.writestr('ok.txt', 'x'); z.writestr('../evil', 'x')", "evil"},
            {"z.writestr('/tmp/caravan-absolute-evil', 'x')", "caravan-absolute-evil"},
            {"i = zipfile.ZipInfo('docs/out'); i.create_system = 3; i.external_attr = (0o120777 << 16);"
                    + " z.writestr(i, '/etc')", "docs/out"},
            // a Unix mode that says FIFO, device or socket: refused as a tar's are, never made an empty file
            {"i = zipfile.ZipInfo('top/fifo'); i.create_system = 3; i.external_attr = (0o010644 << 16); z.writestr(i, '')", "top/fifo"},
            {"i = zipfile.ZipInfo('top/chardev'); i.create_system = 3; i.external_attr = (0o020644 << 16); z.writestr(i, '')", "top/chardev"},
            {"i = zipfile.ZipInfo('top/blockdev'); i.create_system = 3; i.external_attr = (0o060644 << 16); z.writestr(i, '')", "top/blockdev"},
            {"i = zipfile.ZipInfo('top/socket'); i.create_system = 3; i.external_attr = (0o140644 << 16); z.writestr(i, '')", "top/socket"},
        };
        for (String[] hostile : cases) {
            Path zip = python(hostile[0]);
            Path out = Files.createDirectories(tmp.resolve("dest-" + hostile[1].replace('/', '-')));
            CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), out.toString(), "-q");
            assertThat(unpack.exitCode()).as(hostile[0]).isEqualTo(1);
            assertThat(unpack.err()).contains(hostile[1]);
            try (Stream<Path> left = Files.list(out)) {
                assertThat(left).as(hostile[0]).isEmpty();
            }
            assertThat(tmp.resolve("evil")).doesNotExist();
            assertThat(Path.of("/tmp/caravan-absolute-evil")).doesNotExist();
            Files.delete(zip);
        }
    }

    /**
     * A zip whose classic end record says 0xFFFF entries (the mark that its Zip64 record counts them) while that
     * Zip64 record declares 10 and the central directory holds 3 is refused as any zip whose records disagree:
     * the larger of the two counts was taken and 0xFFFF skipped the comparison, so it was unpacked.
     */
    @Test
    void aZip64EndRecordThatDisagreesWithTheCentralDirectoryIsRefused() throws Exception {
        Path zip = tmp.resolve("lie.zip");
        patched(zip, "zipfile.ZIP_FILECOUNT_LIMIT = 1", "    for i in range(3): z.writestr('top/f%d' % i, 'x')",
                "i = b.rfind(b'PK\\x06\\x06'); struct.pack_into('<QQ', b, i + 24, 10, 10)",
                "j = b.rfind(b'PK\\x05\\x06'); struct.pack_into('<HH', b, j + 8, 0xffff, 0xffff)");
        assertRefused(zip, "declares 10 entries", "holds 3");
    }

    /**
     * A classic end record that says 65,535 entries with no Zip64 record after it means 65,535 (modulo 65,536), not
     * "see the Zip64 record": a zip holding one entry and saying so is refused as any whose count disagrees.
     */
    @Test
    void aCountOf65535WithoutAZip64RecordIsCompared() throws Exception {
        Path zip = tmp.resolve("claims.zip");
        patched(zip, "", "    z.writestr('top/one', 'x')",
                "j = b.rfind(b'PK\\x05\\x06'); struct.pack_into('<HH', b, j + 8, 0xffff, 0xffff)");
        assertRefused(zip, "declares 65535 entries", "holds 1");
    }

    /**
     * A central directory that runs past the size its end record declares is refused before it is read: that
     * size is what the heap bound is checked against, and a zip reader reads headers for as long as they come
     * (2,400 headers with 64 KB comments behind a record declaring a few bytes were read whole, into the heap).
     */
    @Test
    void aCentralDirectoryLargerThanItsEndRecordDeclaresIsRefusedBeforeItIsRead() throws Exception {
        Path zip = tmp.resolve("long.zip");
        patched(zip, "", "    for i in range(3):\n"
                        + "        info = zipfile.ZipInfo('top/f%d' % i); info.comment = b'c' * 1000; z.writestr(info, 'x')",
                "j = b.rfind(b'PK\\x05\\x06'); struct.pack_into('<HHI', b, j + 8, 0xffff, 0xffff, 54)");
        assertRefused(zip, "central directory runs past the 54 bytes its end record declares");
    }

    /** A central directory one byte longer than declared (its last header runs past the size) is refused the same way. */
    @Test
    void aCentralDirectoryOneByteLongerThanDeclaredIsRefused() throws Exception {
        Path zip = tmp.resolve("short.zip");
        patched(zip, "", "    for i in range(2): z.writestr('top/f%d' % i, 'x')",
                "j = b.rfind(b'PK\\x05\\x06'); size = struct.unpack_from('<I', b, j + 12)[0]",
                "struct.pack_into('<I', b, j + 12, size - 1)");
        assertRefused(zip, "central directory runs past the", "header 2 ends at byte");
    }

    /**
     * An end record that places the central directory past the end of the file is a damaged zip, and is said to be
     * one with where it points: Commons Compress only said "Error reading Zip content".
     */
    @Test
    void aCentralDirectoryPlacedPastTheEndOfTheFileIsSaidToBeSo() throws Exception {
        Path zip = tmp.resolve("far.zip");
        patched(zip, "", "    z.writestr('top/one', 'x')",
                "j = b.rfind(b'PK\\x05\\x06'); struct.pack_into('<I', b, j + 16, 10_000_000)");
        assertRefused(zip, "its end record places its central directory", "at byte 10000000", "the zip is damaged");
    }

    /** A Zip64 locator that points where no Zip64 end record is is said to be so, not "Error reading Zip content". */
    @Test
    void aZip64LocatorPointingAtNoRecordIsSaidToBeSo() throws Exception {
        Path zip = tmp.resolve("locator.zip");
        patched(zip, "zipfile.ZIP_FILECOUNT_LIMIT = 1", "    for i in range(3): z.writestr('top/f%d' % i, 'x')",
                "k = b.rfind(b'PK\\x06\\x07'); struct.pack_into('<Q', b, k + 8, 7)");
        assertRefused(zip, "its Zip64 end record locator points at byte 7", "the zip is damaged");

        Path far = tmp.resolve("locator-far.zip");
        patched(far, "zipfile.ZIP_FILECOUNT_LIMIT = 1", "    for i in range(3): z.writestr('top/f%d' % i, 'x')",
                "k = b.rfind(b'PK\\x06\\x07'); struct.pack_into('<Q', b, k + 8, 0x7fffffffffffffff)");
        assertRefused(far, "its Zip64 end record locator points at byte 9223372036854775807", "the zip is damaged");
    }

    /**
     * A tar whose first header's checksum does not hold is no tar (GNU tar refuses it): one bit flipped in a name
     * published the entry under the flipped name, with no warning.
     */
    @Test
    void aTarHeaderWhoseChecksumDoesNotHoldIsRefused() throws Exception {
        Path tar = tmp.resolve("flipped.tar");
        run(tmp, "python3", "-c", "import tarfile, io, sys\n"
                + "with tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT) as t:\n"
                + "    info = tarfile.TarInfo('report.txt'); info.size = 3; t.addfile(info, io.BytesIO(b'abc'))\n"
                + "b = bytearray(open(sys.argv[1], 'rb').read()); b[0] ^= 1; open(sys.argv[1], 'wb').write(b)", tar.toString());
        Path out = Files.createDirectories(tmp.resolve("out"));

        CliRunner.Result unpack = CliRunner.run("unpack", tar.toString(), out.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains("not a complete archive");
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).isEmpty();
        }
    }

    /**
     * An end record found inside the zip's comment (the last one in the file, as zip readers look for it) whose
     * central directory is larger than the file is a damaged zip, not one that needs a larger heap.
     */
    @Test
    void anEndRecordInsideTheCommentIsADamagedZipNotAHeapProblem() throws Exception {
        Path zip = tmp.resolve("comment.zip");
        patched(zip, "", "    z.writestr('top/one', 'x'); z.comment = b'PK\\x05\\x06' + b'\\xff' * 200");
        assertRefused(zip, "the zip is damaged");
        assertThat(CliRunner.run("unpack", zip.toString(), tmp.resolve("out2").toString(), "-q").err()).doesNotContain("heap");
    }

    /**
     * Writes {@code zip} with Python's zipfile ({@code setup} before it is opened as {@code z}, {@code writes} inside),
     * then changes its bytes (held in {@code b}) with the statements of {@code patch}.
     */
    private void patched(Path zip, String setup, String writes, String... patch) throws Exception {
        List<String> script = new java.util.ArrayList<>(List.of("import zipfile, struct, sys", setup,
                "with zipfile.ZipFile(sys.argv[1], 'w') as z:", writes, "b = bytearray(open(sys.argv[1], 'rb').read())"));
        script.addAll(List.of(patch));
        script.add("open(sys.argv[1], 'wb').write(b)");
        run(tmp, "python3", "-c", String.join("\n", script), zip.toString());
    }

    /** {@code caravan unpack} of {@code zip} exits 1 saying each of {@code said}, and writes nothing. */
    private void assertRefused(Path zip, String... said) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));

        CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), out.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(unpack.err()).contains(said);
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).isEmpty();
        }
    }

    /** A refused unpack into a folder that did not exist leaves no trace: the folders it made are removed. */
    @Test
    void aRefusedUnpackIntoANewFolderLeavesNoFolderBehind() throws Exception {
        Path zip = python("z.writestr('ok.txt', 'x'); z.writestr('../evil', 'x')");
        Path out = tmp.resolve("new/dest");

        CliRunner.Result unpack = CliRunner.run("unpack", zip.toString(), out.toString(), "-q");

        assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
        assertThat(tmp.resolve("new")).doesNotExist();
    }

    /**
     * A local file that is neither a tar archive nor a zip that starts as one (here a zip with bytes before it,
     * as self-extracting ones have) is refused with what it is not and what to do, not with a sender's advice.
     */
    @Test
    void aFileThatIsNoArchiveCaravanReadsIsRefusedWithLocalAdvice() throws Exception {
        Path zip = python("z.writestr('ok.txt', 'x')");
        Path prefixed = tmp.resolve("sfx.zip");
        Files.write(prefixed, "#!/bin/sh\nexit 0\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.write(prefixed, Files.readAllBytes(zip), java.nio.file.StandardOpenOption.APPEND);

        assertRefused(prefixed, "sfx.zip", "self-extracting", "unzip");
        assertThat(CliRunner.run("unpack", prefixed.toString(), tmp.resolve("out").toString(), "-q").err())
                .doesNotContain("send the parcel again").doesNotContain("chunk is missing");
    }

    /**
     * Whatever a self-extracting stub's bytes are, it gets the same advice: one whose byte 156 (a tar header's type)
     * reads 'K', 'L', 'x', 'X' or 'g' was taken for a tar header of that type, without its checksum being looked
     * at, and refused naming a binary "entry" (about 2 % of random stubs).
     */
    @Test
    void aStubWhoseBytesLookLikeATarHeaderTypeGetsTheSameAdvice() throws Exception {
        Path zip = python("z.writestr('ok.txt', 'x')");
        for (char type : new char[] {'K', 'L', 'x', 'X', 'g'}) {
            byte[] stub = new byte[4096];
            new java.util.Random(type).nextBytes(stub);
            stub[156] = (byte) type;
            stub[0] = 'M'; // not a compressor's magic number
            Path prefixed = tmp.resolve("sfx-" + (int) type + ".zip");
            Files.write(prefixed, stub);
            Files.write(prefixed, Files.readAllBytes(zip), java.nio.file.StandardOpenOption.APPEND);

            CliRunner.Result unpack = CliRunner.run("unpack", prefixed.toString(), tmp.resolve("out").toString(), "-q");
            assertThat(unpack.exitCode()).as(unpack.err()).isEqualTo(1);
            assertThat(unpack.err()).as("stub with '%s' at byte 156", type).contains("self-extracting", "unzip")
                    .doesNotContain("refused entry");
        }
    }

    /** A zip written by Python's zipfile with {@code statements} ({@code z} is the open ZipFile). */
    private Path python(String statements) throws Exception {
        Path zip = tmp.resolve("made.zip");
        run(tmp, "python3", "-c", "import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    " + statements,
                zip.toString());
        return zip;
    }

    private static void run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }
}
