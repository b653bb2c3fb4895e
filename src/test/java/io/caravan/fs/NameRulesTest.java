package io.caravan.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The length rules of {@link NameRules}: 255 bytes a part, {@value NameRules#MAX_PATH_BYTES} bytes and {@value NameRules#MAX_DEPTH} parts a name. */
class NameRulesTest {

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void aPartOf255BytesIsAcceptedAndOneOf256IsNot() {
        assertThat(NameRules.problem("a".repeat(255))).isNull();
        assertThat(NameRules.problem("a".repeat(256))).contains("255 bytes");
        assertThat(NameRules.problem("é".repeat(128))).contains("255 bytes");
    }

    @Test
    void aNameUtf8CannotHoldIsRefused() {
        for (String name : new String[] {"a\ud800", "\udc00", "a/b\ud83d/c", "x\ude00\ud83d"}) {
            assertThat(NameRules.problem(name)).as(name).contains("unpaired UTF-16 surrogates (here U+D");
            assertThatThrownBy(() -> NameRules.check(name)).isInstanceOf(BadNameException.class).hasMessageContaining("refused");
        }
        assertThat(NameRules.problem("smile\ud83d\ude00")).isNull();
        assertThat(NameRules.printable("a\ud800b\ud83d\ude00")).isEqualTo("a\\ud800b\ud83d\ude00");
    }

    @Test
    void aNameOfThousandsOfShortPartsIsRefusedForItsTotalLength() {
        String deep = "a/".repeat(2100) + "a";
        assertThat(NameRules.problem(deep)).contains(NameRules.MAX_PATH_BYTES + " bytes");
        assertThatThrownBy(() -> NameRules.check(deep)).isInstanceOf(BadNameException.class)
                .hasMessageContaining("refused").hasMessageContaining("bytes");
    }

    @Test
    void theTotalLengthCountsUtf8BytesAndTheLimitItselfIsAccepted() {
        String segment = "a".repeat(200);
        StringBuilder name = new StringBuilder(segment);
        while (bytes(name + "/" + segment) <= NameRules.MAX_PATH_BYTES) {
            name.append('/').append(segment);
        }
        String exact = name + "/" + "b".repeat(NameRules.MAX_PATH_BYTES - bytes(name.toString()) - 1);
        assertThat(bytes(exact)).isEqualTo(NameRules.MAX_PATH_BYTES);
        assertThat(NameRules.problem(exact)).isNull();
        assertThat(NameRules.problem(exact + "b")).contains(NameRules.MAX_PATH_BYTES + " bytes");
        assertThat(NameRules.problem(exact + "/")).isNull(); // a trailing '/' only means "into"
        String twoByteChars = "é".repeat(NameRules.MAX_PATH_BYTES / 2 / 100);
        assertThat(NameRules.problem((twoByteChars + "/").repeat(101))).contains("bytes");
    }

    @Test
    void aNameDeeperThanTheMaximumDepthIsRefused() {
        assertThat(NameRules.problem("a/".repeat(NameRules.MAX_DEPTH - 1) + "a")).isNull();
        assertThat(NameRules.problem("a/".repeat(NameRules.MAX_DEPTH) + "a")).contains(NameRules.MAX_DEPTH + " parts");
    }

    @Test
    void lengthProblemOnlyJudgesLengthAndDepth() {
        assertThat(NameRules.lengthProblem("./a/../b")).isNull();
        assertThat(NameRules.lengthProblem("a/" + "b".repeat(256))).contains("255 bytes");
        assertThat(NameRules.lengthProblem("a/".repeat(2100) + "a")).contains("bytes");
    }

    @Test
    void fitKeepsShortNamesAsTheyAre() {
        assertThat(NameRules.fit("report", " (1).txt")).isEqualTo("report (1).txt");
    }

    @Test
    void fitShortensTheStemSoTheLeafStaysWithin255Bytes() {
        String fitted = NameRules.fit("x".repeat(251), " (1).txt");
        assertThat(bytes(fitted)).isEqualTo(NameRules.MAX_SEGMENT_BYTES);
        assertThat(fitted).endsWith("x (1).txt");
    }

    @Test
    void fitCutsOnACharacterBoundary() {
        String stem = "é".repeat(127) + "a"; // 255 bytes
        String fitted = NameRules.fit(stem, " (12)");
        assertThat(bytes(fitted)).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
        assertThat(fitted).isEqualTo("é".repeat(125) + " (12)");
        assertThat(new String(fitted.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(fitted);
        String emoji = "\uD83D\uDE00".repeat(63) + "abc"; // 4-byte characters: never split a surrogate pair
        String cut = NameRules.fit(emoji, "~1");
        assertThat(bytes(cut)).isLessThanOrEqualTo(NameRules.MAX_SEGMENT_BYTES);
        assertThat(cut).isEqualTo("\uD83D\uDE00".repeat(63) + "a~1");
        assertThat(NameRules.segmentProblem(cut)).isNull();
    }
}
