package dev.baton.bench.lab;

import dev.baton.lab.Lab;
import dev.baton.lab.LabRouter;
import dev.baton.lab.RouterHost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real {@code baton run} JVM in the router's namespace ({@link LabRouter}), every thread pinned to one CPU,
 * with the kernel's own forwarding off. The configuration is the lab's ({@link LabRouter#config}) with the
 * ring geometry chosen by {@link #withRing}.
 */
public final class BatonUnderTest implements AutoCloseable {

    /** Keep {@link LabRouter}'s small lab rings. */
    public static final String RING_LAB = "lab";
    /** Baton's documented defaults (docs/configuration.md, {@code router.ring}): the ring line is left out. */
    public static final String RING_DEFAULT = "default";
    private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final String RING_LINE_PREFIX = "  ring:";

    private final LabRouter router;
    private final String configuration;

    private BatonUnderTest(LabRouter router, String configuration) {
        this.router = router;
        this.configuration = configuration;
    }

    /**
     * Starts Baton on {@code host} serving {@code services}, waits until it has resolved every server, and pins
     * all its threads to {@code cpu}.
     *
     * @param ring {@link #RING_DEFAULT}, {@link #RING_LAB} or a YAML flow mapping for {@code router.ring}
     */
    public static BatonUnderTest start(Lab lab, RouterHost host, List<LabRouter.Service> services, String ring, int cpu) {
        String forwarding = KernelForwarding.run(host, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip();
        if (!forwarding.equals("0")) {
            throw new IllegalStateException("kernel forwarding is on in " + host.namespace() + " (ip_forward=" + forwarding + ")");
        }
        Path socket = lab.workDirectory().resolve("baton-bench.sock");
        String yaml = withRing(LabRouter.config(lab, host, socket, services), ring);
        LabRouter router;
        try {
            router = LabRouter.start(lab, host, yaml, socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start baton run in " + host.namespace(), e);
        }
        BatonUnderTest baton = new BatonUnderTest(router, yaml);
        try {
            router.awaitServersResolved(RESOLVE_TIMEOUT);
            pin(host, router.process().pid(), cpu);
        } catch (RuntimeException e) {
            baton.close();
            throw e;
        }
        return baton;
    }

    /**
     * {@code yaml} with its {@code router.ring} line replaced: removed for {@link #RING_DEFAULT}, kept for
     * {@link #RING_LAB}, otherwise set to {@code ring}.
     */
    static String withRing(String yaml, String ring) {
        if (RING_LAB.equals(ring)) {
            return yaml;
        }
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        int index = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(RING_LINE_PREFIX)) {
                if (index >= 0) {
                    throw new IllegalArgumentException("two ring lines in the lab configuration:\n" + yaml);
                }
                index = i;
            }
        }
        if (index < 0) {
            throw new IllegalArgumentException("no '" + RING_LINE_PREFIX.strip() + "' line under router: in the lab configuration:\n" + yaml);
        }
        if (RING_DEFAULT.equals(ring)) {
            lines.remove(index);
        } else {
            lines.set(index, RING_LINE_PREFIX + " " + ring);
        }
        return String.join("\n", lines);
    }

    /**
     * Pins every existing thread of {@code pid} to {@code cpu} (taskset(1) {@code -a}); threads started later
     * inherit the mask from their creator. Verified through each thread's {@code Cpus_allowed_list}.
     */
    static void pin(RouterHost host, long pid, int cpu) {
        KernelForwarding.run(host, "taskset", "-a", "-p", "-c", Integer.toString(cpu), Long.toString(pid));
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                String allowed = Files.readAllLines(thread.resolve("status")).stream()
                        .filter(line -> line.startsWith("Cpus_allowed_list:"))
                        .map(line -> line.substring("Cpus_allowed_list:".length()).strip())
                        .findFirst().orElse("?");
                if (!allowed.equals(Integer.toString(cpu))) {
                    throw new IllegalStateException("thread " + thread.getFileName() + " of baton run (pid " + pid
                            + ") may run on CPUs " + allowed + ", not only " + cpu);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the CPU affinity of pid " + pid, e);
        }
    }

    /** The JVM's process id (the {@code ip netns exec} wrapper execs it, so it is the spawned process). */
    public long pid() {
        return router.process().pid();
    }

    /** {@code baton ctl stats}. */
    public Map<String, Object> stats() {
        return router.stats();
    }

    /** The configuration it runs. */
    public String configuration() {
        return configuration;
    }

    /** Its log so far (for failure reports). */
    public String log() {
        return router.log();
    }

    /** Stops Baton (SIGTERM; it removes its nftables table and control socket). */
    @Override
    public void close() {
        router.close();
        // Whatever happens to the JVM, the next measurement must not start before its socket is gone.
        router.process().waitFor(COMMAND_TIMEOUT);
    }
}
