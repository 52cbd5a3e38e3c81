package dev.baton.bench.lab;

import dev.baton.lab.ExecResult;
import dev.baton.lab.Host;
import dev.baton.lab.RouterHost;
import dev.baton.lab.UpstreamHost;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference: the router namespace forwarding VIP traffic with the Linux kernel instead of Baton, set up as
 * the fair comparison measured before on this machine (Linux IP forwarding about 239k pps on this lab path):
 * <ul>
 *   <li>{@code net.ipv4.ip_forward=1} and a host route {@code <VIP>/32 via <server>}, so the kernel forwards
 *       the VIP to one server (kernel forwarding has no load balancing; the comparison is the forwarding
 *       path);</li>
 *   <li>RPS (Documentation/networking/scaling.rst, "RPS: Receive Packet Steering") on the client-facing
 *       interface's only receive queue, steering the forwarding work to the router's CPU, as Baton's JVM is
 *       pinned there. Without it a veth receives on the sender's CPU, and the kernel would forward on the
 *       generator's CPU;</li>
 *   <li>a permanent neighbour entry on the upstream, VIP at the router's MAC: Baton answers ARP for the VIP,
 *       the kernel router does not (the VIP is not its address), and the frames must stay the same.</li>
 * </ul>
 * {@link #close()} undoes all of it, so Baton can run on the same namespace again.
 */
public final class KernelForwarding implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final RouterHost router;
    private final UpstreamHost upstream;
    private final String vip;
    private boolean closed;

    private KernelForwarding(RouterHost router, UpstreamHost upstream, String vip) {
        this.router = router;
        this.upstream = upstream;
        this.vip = vip;
    }

    /**
     * Switches kernel forwarding on in {@code router}'s namespace.
     *
     * @throws IllegalStateException if a Baton nftables table is still installed there (Baton must be stopped
     *                               first: its ingress rule drops VIP traffic before the kernel sees it)
     */
    public static KernelForwarding enable(RouterHost router, UpstreamHost upstream, String vip, String serverAddress,
                                          int rpsCpu) {
        String tables = run(router, "nft", "list", "tables").stdout();
        if (tables.contains("netdev baton_")) {
            throw new IllegalStateException("Baton's nftables table is still installed in " + router.namespace() + ":\n" + tables);
        }
        KernelForwarding forwarding = new KernelForwarding(router, upstream, vip);
        try {
            run(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            run(router, "ip", "route", "replace", vip + "/32", "via", serverAddress, "dev", router.serverInterface());
            writeRpsMask(router, rpsMask(rpsCpu));
            run(upstream, "ip", "neigh", "replace", vip, "lladdr", router.clientMac(), "dev", upstream.frontInterface(),
                    "nud", "permanent");
        } catch (RuntimeException e) {
            try {
                forwarding.close();
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return forwarding;
    }

    /** The {@code rps_cpus} bitmap (hexadecimal) selecting exactly {@code cpu}. */
    static String rpsMask(int cpu) {
        if (cpu < 0 || cpu > 31) {
            throw new IllegalArgumentException("cpu " + cpu + " outside 0..31");
        }
        return Integer.toHexString(1 << cpu);
    }

    /**
     * Steers the receive work of the router's client-facing interface to {@code cpu} with RPS, or back to the
     * receiving CPU with {@code -1} (mask 0, the default).
     */
    static void steerReceive(RouterHost router, int cpu) {
        writeRpsMask(router, cpu < 0 ? "0" : rpsMask(cpu));
    }

    private static void writeRpsMask(RouterHost router, String mask) {
        // sysfs is mounted per network namespace by "ip netns exec", so the write must happen inside it.
        String file = "/sys/class/net/" + router.clientInterface() + "/queues/rx-0/rps_cpus";
        run(router, "sh", "-c", "echo " + mask + " > " + file);
    }

    /** Reverts every setting {@link #enable} made; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        attempt(failures, () -> run(upstream, "ip", "neigh", "del", vip, "dev", upstream.frontInterface()));
        attempt(failures, () -> writeRpsMask(router, "0"));
        attempt(failures, () -> run(router, "ip", "route", "del", vip + "/32"));
        attempt(failures, () -> run(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0"));
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not undo kernel forwarding in " + router.namespace() + ": " + failures);
        }
    }

    private static void attempt(List<String> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
        }
    }

    static ExecResult run(Host host, String... command) {
        ExecResult result = host.exec(COMMAND_TIMEOUT, command);
        if (!result.succeeded()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' in " + host.namespace() + " failed"
                    + (result.timedOut() ? " (timed out)" : " with status " + result.exitCode()) + ": " + result.stderr().strip());
        }
        return result;
    }
}
