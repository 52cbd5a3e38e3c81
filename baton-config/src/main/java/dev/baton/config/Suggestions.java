package dev.baton.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt keys and words: the closest candidate by edit distance. */
final class Suggestions {

    /** Suggest only candidates at most this many edits away. */
    static final int MAX_DISTANCE = 2;

    private Suggestions() {
    }

    /**
     * The candidate closest to {@code word}, compared without case, if it is at most {@link #MAX_DISTANCE}
     * edits away and fewer edits than its own length (so that {@code x} does not "mean" {@code id}). Ties go
     * to the earlier candidate.
     */
    static Optional<String> closest(String word, Collection<String> candidates) {
        String lowerWord = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(lowerWord, candidate.toLowerCase(Locale.ROOT));
            if (distance <= MAX_DISTANCE && distance < candidate.length() && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Damerau-Levenshtein distance in its optimal-string-alignment form: insertions, deletions,
     * substitutions and transpositions of adjacent characters each cost one edit.
     */
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
                int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    best = Math.min(best, d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        return d[a.length()][b.length()];
    }
}
