package io.caravan.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A list walked forwards and backwards that holds at most one block of items in memory, the rest in one spill file. */
class SpilledListTest {

    @TempDir
    Path tmp;

    @Test
    void holdsAtMostOneBlockAndWalksEveryItemBothWays() throws Exception {
        List<String> added = IntStream.range(0, 10_007).mapToObj(i -> "d" + (i % 97) + "/ü " + i).collect(Collectors.toList());
        try (SpilledList<String> list = new SpilledList<>(tmp, 100, SpilledList.STRINGS)) {
            for (String item : added) {
                list.add(item);
                assertThat(list.held()).isLessThanOrEqualTo(100);
            }
            assertThat(list.size()).isEqualTo(10_007);
            try (var files = Files.list(tmp)) {
                assertThat(files.toList()).singleElement().satisfies(f -> assertThat(f.getFileName().toString()).startsWith(".caravan-spill-"));
            }
            List<String> forwards = new ArrayList<>();
            list.forEach(forwards::add);
            assertThat(forwards).isEqualTo(added);
            List<String> backwards = new ArrayList<>();
            list.forEachReversed(backwards::add);
            List<String> reversed = new ArrayList<>(added);
            java.util.Collections.reverse(reversed);
            assertThat(backwards).isEqualTo(reversed);
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.toList()).as("the spill file is deleted on close").isEmpty();
        }
    }

    @Test
    void aListThatFitsItsBlockWritesNoFile() throws Exception {
        try (SpilledList<String> list = new SpilledList<>(tmp, 100, SpilledList.STRINGS)) {
            for (int i = 0; i < 100; i++) {
                list.add("x" + i);
            }
            List<String> backwards = new ArrayList<>();
            list.forEachReversed(backwards::add);
            assertThat(backwards).first().isEqualTo("x99");
            assertThat(backwards).hasSize(100);
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.toList()).isEmpty();
        }
    }
}
