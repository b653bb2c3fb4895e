package io.caravan.unpack;

import io.caravan.pack.ChunkInfo;
import io.caravan.pack.Manifest;
import io.caravan.pack.ManifestException;
import io.caravan.pack.PartFiles;
import io.caravan.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of one packed parcel on disk and, when verifying, its manifest. Opening checks that
 * every part the manifest lists is there with the right size, so a missing or truncated part is
 * reported before anything is extracted.
 */
public final class PartSet {

    private final Path prefix;
    private final Manifest manifest;
    private final List<Path> parts;

    private PartSet(Path prefix, Manifest manifest, List<Path> parts) {
        this.prefix = prefix;
        this.manifest = manifest;
        this.parts = parts;
    }

    /** Whether {@code path} names a part set (its manifest or first part exists). */
    public static boolean exists(Path path) {
        Path prefix = PartFiles.prefixOf(path);
        return Files.isRegularFile(PartFiles.manifest(prefix)) || Files.isRegularFile(PartFiles.part(prefix, 0));
    }

    public static PartSet open(Path path, boolean verify) throws IOException {
        Path prefix = PartFiles.prefixOf(path).toAbsolutePath();
        Path manifestFile = PartFiles.manifest(prefix);
        if (!Files.isRegularFile(manifestFile)) {
            if (verify) {
                throw new ManifestException("no manifest " + manifestFile + ": the parts cannot be verified; copy"
                        + " the manifest beside them, or pass --no-verify to extract them unchecked");
            }
            return new PartSet(prefix, null, contiguousParts(prefix));
        }
        Manifest manifest = Manifest.read(manifestFile);
        List<Path> parts = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (ChunkInfo chunk : manifest.chunks()) {
            Path part = PartFiles.part(prefix, chunk.index());
            parts.add(part);
            if (!Files.isRegularFile(part)) {
                problems.add("part " + ChunkInfo.label(chunk.index()) + ": missing (expected " + part + ")");
            } else if (Files.size(part) != chunk.size()) {
                problems.add("part " + ChunkInfo.label(chunk.index()) + ": " + Files.size(part) + " bytes, the manifest says "
                        + chunk.size() + " (truncated, still being copied, or from another set)");
            }
        }
        if (!problems.isEmpty()) {
            throw new ChunkVerificationException(String.join("; ", problems)
                    + ". Copy the complete parts again; nothing was extracted");
        }
        return new PartSet(prefix, manifest, parts);
    }

    private static List<Path> contiguousParts(Path prefix) {
        List<Path> parts = new ArrayList<>();
        for (int i = 0; Files.isRegularFile(PartFiles.part(prefix, i)); i++) {
            parts.add(PartFiles.part(prefix, i));
        }
        if (parts.isEmpty()) {
            throw new ChunkVerificationException("no parts found: expected " + PartFiles.part(prefix, 0));
        }
        return parts;
    }

    public Path prefix() {
        return prefix;
    }

    /** The manifest, or null when opened without verification and none was there. */
    public Manifest manifest() {
        return manifest;
    }

    public List<Path> parts() {
        return parts;
    }

    /** The set as a message names it: its prefix, its first and last part, and its manifest when there is one. */
    public String shown() {
        String of = manifest != null ? ", manifest " + PartFiles.manifest(prefix).getFileName() : "";
        if (parts.isEmpty()) {
            return "the part set " + prefix + " (no parts" + of + ")";
        }
        String last = parts.size() > 1 ? " to " + parts.get(parts.size() - 1).getFileName() : "";
        return "the part set " + prefix + " (" + parts.size() + (parts.size() == 1 ? " part, " : " parts, ") + parts.get(0) + last
                + of + ")";
    }

    public long totalSize() throws IOException {
        long total = 0;
        for (Path part : parts) {
            total += Files.size(part);
        }
        return total;
    }

    /** The parts as one stream, checked against the manifest when {@code verify} is set and one is known. */
    public VerifyingPartsInputStream openStream(boolean verify, ProgressListener listener) {
        return new VerifyingPartsInputStream(parts, verify ? manifest : null, listener);
    }
}
