package dev.baton.agent;

import dev.baton.agent.CounterRegistry.Descriptor;

import java.util.List;

/**
 * Every counter's value at one moment ({@link CounterRegistry#snapshot}), with sums over the labels a caller
 * does not care about (per worker, say).
 */
public record CounterSnapshot(List<Sample> samples) {

    /** One counter's value. */
    public record Sample(Descriptor counter, long value) {
        @Override
        public String toString() {
            return counter + " " + value;
        }
    }

    public CounterSnapshot {
        samples = List.copyOf(samples);
    }

    /**
     * The sum of every sample named {@code name} whose labels include every {@code key, value} pair given
     * ({@code sum("drops", "reason", "checksum")}); 0 when none matches.
     */
    public long sum(String name, String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in key, value pairs");
        }
        long total = 0;
        for (Sample sample : samples) {
            if (sample.counter().name().equals(name) && matches(sample.counter(), keysAndValues)) {
                total += sample.value();
            }
        }
        return total;
    }

    /** Whether any sample is named {@code name}. */
    public boolean has(String name) {
        for (Sample sample : samples) {
            if (sample.counter().name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(Descriptor counter, String[] keysAndValues) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (!keysAndValues[i + 1].equals(counter.label(keysAndValues[i]))) {
                return false;
            }
        }
        return true;
    }

    /** One line per sample, {@code name{key="value",...} value}: the Prometheus text format without HELP/TYPE. */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (Sample sample : samples) {
            out.append(sample).append('\n');
        }
        return out.toString();
    }
}
