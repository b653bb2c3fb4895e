package io.caravan.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Names close to a mistyped one, by edit distance with transpositions ({@code sned} → {@code send}),
 * which picocli's own similarity misses: at most two edits, and fewer than half the typed name.
 */
final class NameSuggestions {

    private NameSuggestions() {
    }

    static List<String> closest(String typed, Collection<String> names) {
        int limit = Math.min(2, Math.max(1, typed.length() / 2 - 1));
        return names.stream().filter(n -> distance(typed, n) <= limit)
                .sorted(Comparator.comparingInt((String n) -> distance(typed, n)).thenComparing(n -> n)).toList();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
