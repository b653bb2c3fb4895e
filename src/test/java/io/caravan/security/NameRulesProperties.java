package io.caravan.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.fs.BadNameException;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.CraftedTar;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.Unpacker;
import io.caravan.unpack.UnsafeEntryException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the name rules: whatever a client sends, a name is either refused with a message naming
 * the rule, or it is a relative path that stays inside its root, holds no control character, no
 * {@code .}/{@code ..} part, no part over 255 bytes and no reserved ({@code .caravan*}) part.
 */
class NameRulesProperties {

    @Provide
    Arbitrary<String> hostileNames() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.of("a", "b", "..", ".", "", ".caravan", ".caravan-staging-1", ".caravanignore", "x y", "日本", "a\nb", "t\tab",
                        "\u0000", "\u007f", "back\\slash", "~", "-", "%2e%2e"),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(6),
                Arbitraries.strings().withChars('x').ofMinLength(250).ofMaxLength(260));
        return segment.list().ofMinSize(1).ofMaxSize(5).flatMap(parts -> Arbitraries.of("", "/").map(lead ->
                lead + String.join("/", parts)));
    }

    @Property(tries = 2000, seed = "1101")
    void acceptedNamesStayInsideTheirRootAndRefusalsNameTheRule(@ForAll("hostileNames") String name) {
        String problem = NameRules.problem(name);
        if (problem != null) {
            BadNameException refused = catchRefusal(name);
            assertThat(refused.getMessage()).contains(problem).doesNotContain("\n");
            return;
        }
        Path root = Path.of("/srv/inbox");
        Path resolved = root.resolve(name).normalize();
        assertThat(resolved.startsWith(root) && !resolved.equals(root)).as(name).isTrue();
        for (String segment : ConfinedDir.segments(name)) {
            assertThat(segment).isNotIn(".", "..", ".caravan").doesNotStartWith(".caravan-");
            assertThat(segment.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
            assertThat(segment.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as(name).isTrue();
        }
    }

    /**
     * The same rules hold for every part of an archive entry, at any depth: an entry is refused naming
     * its rule with no control character in the message, or everything extracted has names the rules
     * accept (so nothing below the top is a reserved name, holds a control character or a backslash); a
     * name the tar writer cuts at a NUL makes no tar at all, refused as such.
     */
    @Property(tries = 300, seed = "1102")
    void archiveEntriesFollowTheRulesAtEveryDepth(@ForAll("hostileNames") String name) throws Exception {
        String entry = "top/" + (name.startsWith("/") ? name.substring(1) : name) + (name.endsWith("/") ? "f" : "");
        byte[] tar;
        try {
            tar = new CraftedTar().file(entry).bytes();
        } catch (java.io.IOException unwritable) {
            return; // a name the tar writer itself cannot hold (one it reads as a folder's)
        }
        Path dest = Files.createTempDirectory("caravan-entry-names");
        try {
            new Unpacker(UnpackOptions.DEFAULT, ProgressListener.NONE).unpackArchive(new ByteArrayInputStream(tar), dest);
            try (Stream<Path> extracted = Files.walk(dest)) {
                extracted.filter(p -> !p.equals(dest)).map(p -> dest.relativize(p).toString())
                        .forEach(path -> assertThat(NameRules.problem(path)).as(NameRules.printable(path)).isNull());
            }
        } catch (UnsafeEntryException refused) {
            assertThat(refused.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as(refused.getMessage()).isTrue();
            assertThat(refused.getMessage()).startsWith("refused entry '" + NameRules.printable(refused.entry()) + "': ");
        } catch (io.caravan.unpack.DamagedStreamException damaged) {
            // a name the writer cuts at a NUL ("top/\0" is written as the folder "top/" with content after it, which
            // the reader takes for the next header, whose checksum does not hold): no tar, as GNU tar says too
            assertThat(damaged.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as(damaged.getMessage()).isTrue();
            assertThat(name).contains("\u0000");
        } finally {
            try (Stream<Path> walk = Files.walk(dest)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static BadNameException catchRefusal(String name) {
        try {
            NameRules.check(name);
        } catch (BadNameException e) {
            return e;
        }
        throw new AssertionError("'" + name + "' was accepted although it breaks a rule");
    }
}
