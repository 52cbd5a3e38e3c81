package dev.baton.ha.sim;

import org.junit.jupiter.api.Test;

/**
 * The randomized HA simulation ({@link Simulation}) over a fixed set of seeds, bounded in time for the build;
 * {@code -Dbaton.seeds=N} runs N seeds from {@code -Dbaton.seed=S} (default 1) for as long as one wants, and
 * {@code -Dbaton.seed=S} alone reruns one seed, for instance one a failure printed.
 */
class SimulationTest {

    /**
     * Seeds that found a bug, run with the fixed set: each failed on the commit before its fix. A later change
     * may steer a seed elsewhere; it stays as one more scenario. 5849: a standby kept following a stream its
     * active had ended (the active yielded and took the VIP back within a keep-alive interval). 7890: a standby
     * asked in the session of a dump pushed to it unasked 600 ms before, and verified that stale dump (the
     * pushing router had stopped forwarding and kept the stream for its heir). 56340: a router that had just taken
     * the VIP handed it on to a standby synchronized with the old active's stream, which abandoned the preemption.
     * 104039: an active accepted the query of a router that had abandoned it (another active appeared), and the VIP
     * had no active until t2 (SWITCHOVER_DECLINE). 602059: a switch-over query overtaken on the way by the keep-alive
     * sent after it was dropped as a stale claim; the standby took the VIP after t3, without the query's flush.
     * 650508: the invariant took a declined VIP's take-back for an unsynchronized takeover. 793587: a standby stopped
     * inside a cycle took the VIP when the active it followed restarted, and told every peer from that stalled cycle;
     * the active it did not know of yielded to the claim, withdrawn a cycle later, and nobody was active.
     * 3000843: a router restarted within the wall-clock second and drained a server its earlier run had weighed: two
     * values of one register with the same (version, origin) stamp, held by different routers for good (the
     * incarnation is now part of the stamp).
     */
    static final long[] FOUND = {5849, 7890, 56340, 104039, 602059, 650508, 793587, 3000843};

    @Test
    void invariantsHoldOverSeededRandomRuns() throws Exception {
        // The agents log every transition and link event; thousands of runs would write gigabytes. A failure
        // prints the routers' event histories instead.
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.Level level = root.getLevel();
        root.setLevel(java.util.logging.Level.OFF);
        try {
            runSeeds();
        } finally {
            root.setLevel(level);
        }
    }

    private static void runSeeds() throws Exception {
        long first = Long.getLong("baton.seed", 1);
        long count = Long.getLong("baton.seeds", System.getProperty("baton.seed") != null ? 1 : 40);
        // A long run goes on past a failure, so that one run finds every failing seed; each is printed in full as
        // it fails, and the test fails at the end naming them all.
        java.util.List<Long> failed = new java.util.ArrayList<>();
        AssertionError firstFailure = null;
        for (long seed = first; seed < first + count; seed++) {
            Simulation.Plan plan = plan(seed);
            try (Simulation simulation = new Simulation(seed, plan)) {
                simulation.run();
                if (count <= 50 || seed % 1_000 == 0) {
                    System.out.println(simulation.summary());
                    progress(seed, failed);
                }
            } catch (AssertionError e) {
                if (count <= 50) {
                    throw e;
                }
                System.out.println(e.getMessage());
                failed.add(seed);
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        if (System.getProperty("baton.seed") == null && System.getProperty("baton.seeds") == null) {
            for (long seed : FOUND) {
                try (Simulation simulation = new Simulation(seed, plan(seed))) {
                    simulation.run();
                    System.out.println(simulation.summary());
                }
            }
        }
        if (firstFailure != null) {
            throw new AssertionError(failed.size() + " of " + count + " seeds failed: " + failed + "; the first:\n"
                    + firstFailure.getMessage(), firstFailure);
        }
    }

    /**
     * With {@code -Dbaton.seeds.progress=FILE}, a line per thousand seeds appended to FILE as the run goes (the
     * test's own output reaches the log only when the test ends), so a long run that is stopped still says how
     * far it got and what failed.
     */
    private static void progress(long seed, java.util.List<Long> failed) {
        String file = System.getProperty("baton.seeds.progress");
        if (file == null) {
            return;
        }
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(file), "through seed " + seed + ", failed: " + failed + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Two or three routers, one or two workers, automatic or manual failback: drawn from the seed. 6 s of faults,
     * the last 2 s of them switch-overs and network changes only, then 3 s of quiet.
     */
    static Simulation.Plan plan(long seed) {
        java.util.Random shape = new java.util.Random(seed * 0x9E3779B97F4A7C15L);
        return new Simulation.Plan(2 + shape.nextInt(2), 1 + shape.nextInt(2), shape.nextBoolean() ? "automatic" : "manual",
                6_000, 2_000, 3_000);
    }
}
