package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.ConfinedDir;
import io.caravan.progress.ProgressListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree written from an open folder ({@link TarTreeWriter#write(ConfinedDir, String, String, java.io.OutputStream)},
 * as a receiver serves a published folder as a tar.zst) is read through each folder's open descriptor: a folder
 * swapped for a link to a folder outside while it is written (a republish that puts a link where the folder
 * was, or a local user) is never read through. The writer that took paths read the file the link led to and
 * served it as part of the published folder.
 */
class TarTreeWriterConfinedTest {

    @TempDir
    Path tmp;

    @Test
    void aFolderSwappedForALinkWhileItIsWrittenIsNeverReadThrough() throws Exception {
        assertNeverReadThrough((writer, root, tar) -> writer.write(root, "pz", "pz", tar));
    }

    /** The same for a confined source packed into chunks, as a receiver packs a published folder for downloads. */
    @Test
    void aConfinedSourceSwappedForALinkWhileItIsPackedIsNeverReadThrough() throws Exception {
        assertNeverReadThrough((writer, root, tar) -> writer.write(List.of(PackSource.confined(root.entry("pz"), "pz")), tar));
    }

    /** The same for the single entries of a tree a push sync packs by their paths in it ({@link PackSource#entry}). */
    @Test
    void entriesOfATreeWhoseFolderIsSwappedForALinkAreNeverReadThrough() throws Exception {
        assertNeverReadThrough((writer, root, tar) -> writer.write(List.of(PackSource.entry(tmp.resolve("inbox"), "pz"),
                PackSource.entry(tmp.resolve("inbox"), "pz/z"), PackSource.entry(tmp.resolve("inbox"), "pz/z/a.bin"),
                PackSource.entry(tmp.resolve("inbox"), "pz/z/secret.txt")), tar));
    }

    /**
     * A file of a tree's entries rewritten in place while it is read fails the packing, naming it: its copy could
     * mix old and new bytes under the size and whole-second mtime of the file as it ends, so a push sync published
     * a torn copy that every later incremental pass took for up to date. Failed, the pass sends it again.
     */
    @Test
    void aFileOfATreeRewrittenWhileItIsReadFailsThePacking() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/d"));
        Path file = tree.resolve("big.bin");
        Files.write(file, new byte[200_000]);
        ProgressListener rewriteWhileRead = new ProgressListener() {
            @Override
            public void entry(String path, long size) {
                if (path.equals("d/big.bin")) {
                    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                            java.nio.file.StandardOpenOption.WRITE)) {
                        channel.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), 150_000);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };

        Path root = tmp.resolve("tree");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TarTreeWriter(rewriteWhileRead).write(
                        List.of(PackSource.entry(root, "d"), PackSource.entry(root, "d/big.bin")), new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class).hasMessageContaining("big.bin").hasMessageContaining("changed while it was read");
    }

    @FunctionalInterface
    private interface Write {
        void write(TarTreeWriter writer, ConfinedDir root, ByteArrayOutputStream tar) throws IOException;
    }

    private void assertNeverReadThrough(Write write) throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "OUTSIDE THE INBOX");
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Path z = Files.createDirectories(inbox.resolve("pz/z"));
        Files.write(z.resolve("a.bin"), new byte[100_000]);
        Files.writeString(z.resolve("secret.txt"), "the published file");
        ProgressListener swapAtTheSecret = new ProgressListener() {
            @Override
            public void entry(String path, long size) {
                if (path.equals("pz/z/secret.txt")) { // its header is written, its content not yet read
                    try {
                        Files.move(z, inbox.resolve("pz/z.old"));
                        Files.createSymbolicLink(z, outside);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (ConfinedDir root = ConfinedDir.open(inbox)) {
            write.write(new TarTreeWriter(swapAtTheSecret), root, tar);
        }

        Map<String, String> files = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar.toByteArray()))) {
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                files.put(entry.getName(), entry.isFile() ? new String(in.readAllBytes(), StandardCharsets.UTF_8) : "");
            }
        }
        assertThat(files).containsEntry("pz/z/secret.txt", "the published file");
        assertThat(files.values()).noneMatch(content -> content.contains("OUTSIDE"));
    }
}
