package io.caravan.pack;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A manifest that is not one is refused in the terms of the manifest (what shape, where), never in
 * those of the JSON library reading it: no Java class, token or library setting is named, since the
 * message reaches whoever sent it (a receiver answers it with its 400).
 */
class ManifestShapeMessagesTest {

    @Test
    void aManifestOfAnotherShapeIsRefusedInItsOwnTerms() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String longNumber = "{\"version\":" + "9".repeat(2000) + "}";
        for (String json : new String[] {"[]", "\"x\"", "42", deep,
                "{\"version\":" + deep + "}", longNumber, "{\"files\":[] trailing"}) {
            assertThatThrownBy(() -> Manifest.fromJson(json).validate()).as(json.length() > 60 ? json.substring(0, 60) : json)
                    .isInstanceOf(ManifestException.class)
                    .hasMessageContaining("manifest")
                    .hasMessageNotContaining("io.caravan").hasMessageNotContaining("JsonToken")
                    .hasMessageNotContaining("StreamReadConstraints").hasMessageNotContaining("`")
                    .hasMessageNotContaining("java.");
        }
    }
}
