package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuggestionsTest {

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
            "weight, weight, 0",
            "wieght, weight, 1",       // adjacent transposition counts once
            "weigth, weight, 1",
            "wight, weight, 1",
            "weightt, weight, 1",
            "kitten, sitting, 3",
            "ca, abc, 3",              // optimal string alignment: no edits of a transposed pair
            "'', abc, 3"})
    void distanceCountsInsertionsDeletionsSubstitutionsAndTranspositions(String a, String b, int distance) {
        assertEquals(distance, Suggestions.distance(a, b));
        assertEquals(distance, Suggestions.distance(b, a));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "wieght, weight",
            "ADRESS, address",
            "stale_after, stale-after",
            "controlSocket, control-socket",
            "x, ''",                  // two edits, but as many as 'id' has letters: no suggestion
            "colour, ''",
            "scheduler, ''"})
    void closestCandidateWithinTwoEdits(String word, String expected) {
        List<String> keys = List.of("id", "address", "weight", "stale-after", "control-socket");
        assertEquals(expected.isEmpty() ? Optional.empty() : Optional.of(expected), Suggestions.closest(word, keys));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"wrl, wrr", "wl, wlc", "lwc, wlc"})
    void tiesAndNearMissesPickTheNearestThenTheFirst(String word, String expected) {
        assertEquals(Optional.of(expected), Suggestions.closest(word, List.of("wrr", "wlc")));
    }
}
