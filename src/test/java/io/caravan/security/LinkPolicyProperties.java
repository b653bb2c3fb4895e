package io.caravan.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.CaravanException;
import io.caravan.CraftedTar;
import io.caravan.fs.LinkTargets;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.Unpacker;
import io.caravan.util.TreeSnapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Fuzzes the link policy of extraction with archives of random links (absolute, climbing with
 * {@code ..}, through other links, dangling) and files written below them: whatever the policy, no
 * byte lands outside the destination; with the safe policy every link that is kept points inside
 * the top-level folder it is published in, judged lexically where it lives.
 */
class LinkPolicyProperties {

    record Entry(boolean link, String path, String target) {
    }

    @Provide
    Arbitrary<List<Entry>> archives() {
        Arbitrary<String> segment = Arbitraries.of("t", "a", "b", "l");
        Arbitrary<String> path = segment.list().ofMinSize(1).ofMaxSize(3).map(s -> "t/" + String.join("/", s));
        Arbitrary<String> target = Arbitraries.of("..", "a", "b", "l", ".", "/tmp", "/").list().ofMinSize(1).ofMaxSize(4)
                .map(s -> String.join("/", s).replace("//", "/"));
        return Combinators.combine(Arbitraries.of(true, false), path, target).as(Entry::new).list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 300, seed = "1110")
    void noWriteLeavesTheDestinationAndSafeLinksStayInTheirFolder(@ForAll("archives") List<Entry> entries,
                                                                 @ForAll boolean safe) throws IOException {
        Path tmp = Files.createTempDirectory("caravan-links");
        try {
            Path outside = Files.createDirectories(tmp.resolve("outside"));
            Files.writeString(outside.resolve("keep"), "keep");
            TreeSnapshot before = TreeSnapshot.of(outside);
            CraftedTar tar = new CraftedTar().dir("t");
            for (Entry e : entries) {
                if (e.link()) {
                    tar.link(e.path(), TarConstants.LF_SYMLINK, e.target().startsWith("/") ? outside + e.target() : e.target());
                } else {
                    tar.file(e.path());
                }
            }
            Path dest = tmp.resolve("dest");
            UnpackOptions options = new UnpackOptions(true, OnConflict.MERGE, ExtractPolicy.DEFAULT.withExternalSymlinks(!safe));
            try {
                new Unpacker(options, ProgressListener.NONE).unpackArchive(new ByteArrayInputStream(tar.bytes()), dest);
            } catch (CaravanException refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
            assertThat(TreeSnapshot.of(outside).differences(before)).as("outside after %s", entries).isEmpty();
            if (safe && Files.isDirectory(dest)) {
                try (var walk = Files.walk(dest)) {
                    for (Path link : walk.filter(Files::isSymbolicLink).toList()) {
                        String entry = dest.relativize(link).toString();
                        assertThat(LinkTargets.leavesItsTree(entry, Files.readSymbolicLink(link).toString()))
                                .as("kept link %s -> %s", entry, Files.readSymbolicLink(link)).isFalse();
                    }
                }
            }
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
