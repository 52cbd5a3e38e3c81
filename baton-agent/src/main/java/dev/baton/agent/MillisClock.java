package dev.baton.agent;

/**
 * Milliseconds on a monotonic clock, read once per duty cycle and passed down. Injected so that timers and
 * timeouts are tested by stepping a clock instead of sleeping.
 */
@FunctionalInterface
public interface MillisClock {

    /** The monotonic system clock ({@link System#nanoTime()} in ms): never jumps with wall-clock changes. */
    MillisClock SYSTEM = () -> System.nanoTime() / 1_000_000L;

    long nowMs();
}
