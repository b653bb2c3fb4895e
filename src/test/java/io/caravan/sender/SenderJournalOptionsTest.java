package io.caravan.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which journal session a send may resume: one started with the same options but for the publish options
 * its finish gives again ({@code on_conflict}, {@code force}), read back from the journal's file.
 */
class SenderJournalOptionsTest {

    @TempDir
    Path tmp;

    private SenderJournal.Entry recorded(Map<String, ?> options) throws Exception {
        SenderJournal journal = new SenderJournal(tmp.resolve("journal"));
        Path source = tmp.resolve("tree");
        journal.record(source, new SenderJournal.Entry(source.toString(), "http://receiver", "tree", "s1", List.of(), options));
        return journal.find(source, "http://receiver", "tree").orElseThrow();
    }

    @Test
    void otherPublishOptionsAloneKeepTheSession() throws Exception {
        SenderJournal.Entry entry = recorded(Map.of("into", false, "on_conflict", "fail"));

        assertThat(entry.servesOptions(Map.of("into", false, "force", true))).isTrue();
        assertThat(entry.servesOptions(Map.of("into", false, "on_conflict", "rename", "force", false))).isTrue();
    }

    @Test
    void anotherPlaceOrModeStartsANewSession() throws Exception {
        SenderJournal.Entry entry = recorded(Map.of("into", false, "on_conflict", "fail"));

        assertThat(entry.servesOptions(Map.of("into", true, "on_conflict", "fail"))).isFalse();
        assertThat(entry.servesOptions(Map.of("into", false, "on_conflict", "fail", "mode", "apply"))).isFalse();
        assertThat(new SenderJournal.Entry("tree", "http://receiver", "tree", "s1", List.of(), (JsonNode) null)
                .servesOptions(Map.of())).as("an entry that did not record its options").isFalse();
    }
}
