package io.caravan.e2e;

import io.caravan.TestTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Trees the sync tests mirror, generated at test time. */
final class SyncTrees {

    private SyncTrees() {
    }

    /**
     * The fidelity tree (Unicode and space names, symlinks, empty folders, modes, a read-only folder)
     * plus {@code smallFiles} small files spread over 20 folders, under {@code parent/name}.
     */
    static Path tree(Path parent, String name, int smallFiles) throws IOException {
        Path root = TestTrees.fidelityTree(parent, name);
        for (int i = 0; i < smallFiles; i++) {
            Path folder = Files.createDirectories(root.resolve("many/文件夹 " + (i % 20)));
            TestTrees.write(folder.resolve("file " + i + ".txt"), "small file number " + i + "\n");
        }
        return root;
    }
}
