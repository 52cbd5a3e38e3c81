package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MediansTest {

    @Test
    void oddCountTakesTheMiddleValueWhateverTheOrder() {
        assertEquals(5.0, Medians.median(9, 1, 5));
        assertEquals(2.0, Medians.median(2));
    }

    @Test
    void evenCountAveragesTheTwoMiddleValues() {
        assertEquals(3.5, Medians.median(4, 1, 3, 100));
    }

    @Test
    void notApplicableValuesAreLeftOut() {
        assertEquals(3.0, Medians.median(Double.NaN, 3, Double.NaN));
        assertTrue(Double.isNaN(Medians.median(Double.NaN)));
        assertTrue(Double.isNaN(Medians.median()));
    }
}
