package io.caravan.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PercentEscapesTest {

    @ParameterizedTest
    @ValueSource(strings = {"/health", "/parcels?prefix=a%20b&since=2026-01-01T00:00:00Z", "/files/caf%C3%A9/%E2%82%AC.txt",
        "/files/a+b", "/files/%25", "/parcels/%F0%9F%90%AB/manifest", ""})
    void wellFormedTargetsPass(String target) {
        assertThat(PercentEscapes.problem(target)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%", "/a%2", "/a%zz", "/a%2g", "/?x=%", "/%C3", "/%FF", "/%C0%AF", "/%ED%A0%80"})
    void malformedTargetsAreNamed(String target) {
        assertThat(PercentEscapes.problem(target)).contains("percent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a|b", "/a\"b", "/a\\b", "/a^b", "/a`b", "/a<b", "/a>b", "/a{b", "/a}b", "/a\u007fb", "/a\u0001b",
        "/a b", "/a#b", "/?p=[x]", "/caf\u00c3\u00a9"})
    void charactersNoUrlHoldsAreNamed(String target) {
        assertThat(PercentEscapes.problem(target)).contains("percent-encode").contains("at character");
    }
}
