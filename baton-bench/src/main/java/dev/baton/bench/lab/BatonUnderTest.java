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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real {@code baton run} JVM in the router's namespace ({@link LabRouter}), every thread pinned to one CPU,
 * with the kernel's own forwarding off. The configuration is the lab's ({@link LabRouter#config}) with the
 * ring geometry chosen by {@link #withRing} and the data path of the contestant ({@link #withDatapath}), which
 * the router is checked to run ({@link #checkDatapath}): a router that fell back to its rings must not be
 * measured as XDP.
 */
public final class BatonUnderTest implements AutoCloseable {

    /** Keep {@link LabRouter}'s small lab rings. */
    public static final String RING_LAB = "lab";
    /** Baton's documented defaults (docs/configuration.md, {@code router.ring}): the ring line is left out. */
    public static final String RING_DEFAULT = "default";
    private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final String RING_LINE_PREFIX = "  ring:";
    private static final String DATAPATH_LINE_PREFIX = "  datapath:";
    private static final String TABLE_LINE_PREFIX = "table:";

    private final LabRouter router;
    private final String configuration;
    private final Contestant contestant;
    private String datapathStatus = "";

    private BatonUnderTest(LabRouter router, String configuration, Contestant contestant) {
        this.router = router;
        this.configuration = configuration;
        this.contestant = contestant;
    }

    /**
     * Starts Baton on {@code host} serving {@code services} on {@code contestant}'s data path, checks that it runs
     * that path, waits until it has resolved every server, and pins all its threads to {@code cpu}.
     *
     * @param ring {@link #RING_DEFAULT}, {@link #RING_LAB} or a YAML flow mapping for {@code router.ring}
     */
    public static BatonUnderTest start(Lab lab, RouterHost host, List<LabRouter.Service> services, String ring,
                                       Contestant contestant, int cpu) {
        return start(lab, host, services, ring, contestant, cpu, UnaryOperator.identity());
    }

    /**
     * {@link #start(Lab, RouterHost, List, String, Contestant, int)} with the configuration passed through {@code tuning}
     * last, e.g. {@code yaml -> withTable(yaml, 2_000_000, 0)}.
     */
    public static BatonUnderTest start(Lab lab, RouterHost host, List<LabRouter.Service> services, String ring,
                                       Contestant contestant, int cpu, UnaryOperator<String> tuning) {
        if (!contestant.isBaton()) {
            throw new IllegalArgumentException(contestant.label + " is not a Baton data path");
        }
        String forwarding = KernelForwarding.run(host, "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip();
        if (!forwarding.equals("0")) {
            throw new IllegalStateException("kernel forwarding is on in " + host.namespace() + " (ip_forward=" + forwarding + ")");
        }
        Path socket = lab.workDirectory().resolve("baton-bench.sock");
        String yaml = tuning.apply(withDatapath(withRing(LabRouter.config(lab, host, socket, services), ring), contestant));
        LabRouter router;
        try {
            router = LabRouter.start(lab, host, yaml, socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start baton run in " + host.namespace(), e);
        }
        BatonUnderTest baton = new BatonUnderTest(router, yaml, contestant);
        try {
            baton.datapathStatus = router.ctl("status", Map.of()) instanceof Map<?, ?> status
                    ? String.valueOf(status.get("datapath")) : "(no status)";
            checkDatapath(baton.datapathStatus, contestant, host.clientInterface());
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
        return replaceLine(yaml, RING_LINE_PREFIX, RING_DEFAULT.equals(ring) ? null : RING_LINE_PREFIX + " " + ring);
    }

    /**
     * {@code yaml} with its {@code router.datapath} line set for {@code contestant}: {@code af-packet}, or {@code xdp}
     * with {@code router.xdp-mode: native} (a veth runs generic XDP unless told otherwise; the benchmark measures the
     * driver's path, which the lab prepares for: docs/benchmarks.md).
     */
    static String withDatapath(String yaml, Contestant contestant) {
        String replacement = switch (contestant) {
            case AF_PACKET -> DATAPATH_LINE_PREFIX + " af-packet";
            case XDP -> DATAPATH_LINE_PREFIX + " xdp\n  xdp-mode: native";
            case XDP_GENERIC -> DATAPATH_LINE_PREFIX + " xdp\n  xdp-mode: generic";
            case KERNEL -> throw new IllegalArgumentException("the kernel has no router.datapath");
        };
        return replaceLine(yaml, DATAPATH_LINE_PREFIX, replacement);
    }

    /**
     * {@code yaml} with its {@code table} line set to {@code capacity} entries and a per-source limit of {@code
     * perSourceLimit} (0: none), the lab's other table settings (its default timeouts) unchanged.
     */
    static String withTable(String yaml, long capacity, int perSourceLimit) {
        return replaceLine(yaml, TABLE_LINE_PREFIX, TABLE_LINE_PREFIX + " { capacity: " + capacity + ", per-source-limit: "
                + perSourceLimit + " }");
    }

    /**
     * Checks the router's {@code ctl status} {@code datapath} against the contestant: {@code af-packet (configured:
     * ...)}, or {@code xdp (native on <client interface>)} exactly, since XDP falls back to generic mode, or to the
     * rings alone, and says so there.
     *
     * @throws IllegalStateException quoting the status when it differs
     */
    static void checkDatapath(String status, Contestant contestant, String clientInterface) {
        boolean expected = switch (contestant) {
            case AF_PACKET -> status.startsWith("af-packet (configured");
            case XDP -> status.equals("xdp (native on " + clientInterface + ")");
            case XDP_GENERIC -> status.equals("xdp (generic on " + clientInterface + ")");
            case KERNEL -> false;
        };
        if (!expected) {
            throw new IllegalStateException("the router was to run " + contestant.label
                    + (contestant.isXdp() ? " in " + (contestant == Contestant.XDP ? "native" : "generic") + " mode on " + clientInterface : "")
                    + " but ctl status says datapath: " + status);
        }
    }

    /** The one line of {@code yaml} starting with {@code prefix}, replaced by {@code replacement} (null: removed). */
    private static String replaceLine(String yaml, String prefix, String replacement) {
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        int index = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                if (index >= 0) {
                    throw new IllegalArgumentException("two '" + prefix.strip() + "' lines in the lab configuration:\n" + yaml);
                }
                index = i;
            }
        }
        if (index < 0) {
            throw new IllegalArgumentException("no '" + prefix.strip() + "' line under router: in the lab configuration:\n" + yaml);
        }
        if (replacement == null) {
            lines.remove(index);
        } else {
            lines.set(index, replacement);
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
                String allowed = ThreadedNapi.allowedCpusOf(Files.readString(thread.resolve("status")));
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

    /**
     * The counters the benchmark subtracts: {@link BatonCounters#flatten} of {@code ctl stats} and, on the XDP path,
     * the program's own counters ({@link BatonCounters#xdp}) from {@code ctl counters}.
     */
    public Map<String, Long> counters() {
        Map<String, Long> counters = BatonCounters.flatten(stats());
        if (contestant.isXdp()) {
            counters.putAll(BatonCounters.xdp((List<?>) router.ctl("counters", Map.of())));
        }
        return counters;
    }

    /** {@code baton ctl counters}: every sample, as rows of name, labels and value. */
    public List<?> ctlCounters() {
        return (List<?>) router.ctl("counters", Map.of());
    }

    /** What {@code ctl status} said of the data path at start, e.g. "xdp (native on bt3fa2r0f)". */
    public String datapathStatus() {
        return datapathStatus;
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
