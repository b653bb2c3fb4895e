package io.caravan.cli;

import io.caravan.fs.RealPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a command writes must not lie inside a folder it reads: a pack whose parts land in the folder it
 * packs would read its own half-written parts. Checked before anything is written, on real paths
 * (links resolved), so a link into the source is caught too.
 */
final class OutputOutsideSources {

    private OutputOutsideSources() {
    }

    /**
     * Refuses (as a usage error) an output file that lies inside one of the source folders.
     *
     * @param written a file that will be written (it and its folders need not exist yet)
     * @param output what the user gave for it, for the message
     * @param option the option that gave it, for the message (say {@code --out})
     */
    static void require(Path written, Path output, List<Path> sources, String option) {
        Path target = RealPaths.of(written.toAbsolutePath().normalize());
        for (Path source : sources) {
            if (!Files.isDirectory(source)) {
                continue;
            }
            Path folder = RealPaths.of(source.toAbsolutePath().normalize());
            if (target.startsWith(folder)) {
                throw new IllegalArgumentException(option + " " + output + " is inside the folder being packed, " + source
                        + " (" + folder + "): the output would pack itself; nothing was written. Put " + option
                        + " outside " + source);
            }
        }
    }
}
