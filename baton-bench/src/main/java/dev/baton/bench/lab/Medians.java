package dev.baton.bench.lab;

import java.util.Arrays;

/** The statistic the lab benchmark reports: the median of a few repetitions, robust to one disturbed run. */
public final class Medians {

    private Medians() {
    }

    /**
     * The median of {@code values}: the middle one, or the mean of the two middle ones for an even count.
     * NaN values (a measurement that does not apply) are left out; NaN if none remain.
     */
    public static double median(double... values) {
        double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
