package io.caravan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Builds a tar archive in memory entry by entry, names kept exactly as given (absolute paths and
 * {@code ..} included): the hostile archives the extraction tests feed to Caravan.
 */
public final class CraftedTar {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8");

    public CraftedTar() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    public CraftedTar dir(String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
        e.setMode(040755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    /** A file whose content is {@code content of <name>}. */
    public CraftedTar file(String name, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setMode(mode);
        byte[] content = ("content of " + name + "\n").getBytes(StandardCharsets.UTF_8);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
        return this;
    }

    public CraftedTar file(String name) throws IOException {
        return file(name, 0100644);
    }

    public CraftedTar link(String name, byte type, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    public CraftedTar special(String name, byte type) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    /** The finished archive. */
    public byte[] bytes() throws IOException {
        tar.finish();
        return bytes.toByteArray();
    }
}
