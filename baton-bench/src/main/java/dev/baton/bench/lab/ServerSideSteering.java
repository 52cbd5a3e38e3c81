package dev.baton.bench.lab;

import dev.baton.lab.Lab;
import dev.baton.lab.RouterHost;
import dev.baton.lab.Segment;
import dev.baton.lab.Tool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab's server side (the back bridge, the servers' veths, the sinks, iperf3's receivers) moved off the router CPU,
 * with {@code --server-side generator-cpu}: so that the router CPU's busy time is the router's work alone.
 *
 * <p>Why it is needed: a veth transmit runs on into its peer's receive on the same CPU. Whatever the router sends to
 * a server (the kernel's and Baton's AF_PACKET transmit, the XDP program's redirect) therefore drags the back bridge,
 * the server veths and the sinks onto the router CPU, for every contestant. The steering starts where the router's
 * frames enter the lab's plumbing: the bridge-side peer of the router's server-facing veth, in the switch namespace.
 * <ul>
 *   <li>Without an XDP program on that peer (kernel, af-packet) the veth hands each frame to {@code netif_rx}: RPS on
 *       the peer ({@code rps_cpus}) queues it to the given CPU's backlog.</li>
 *   <li>With one (the xdp contestant's pass program, {@link NativeXdpOnVeth}) the veth queues frames to the peer's XDP
 *       ring and schedules its NAPI on the sending CPU: threaded NAPI for the peer, its thread pinned to the given
 *       CPU ({@link ThreadedNapi}).</li>
 * </ul>
 * The price: the generator's CPU carries the server side too, so it offers fewer frames, for every contestant alike.
 */
final class ServerSideSteering implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final String namespace;
    private final String peer;
    private final int cpu;
    private final ThreadedNapi napi;
    private boolean closed;

    private ServerSideSteering(String namespace, String peer, int cpu, ThreadedNapi napi) {
        this.namespace = namespace;
        this.peer = peer;
        this.cpu = cpu;
        this.napi = napi;
    }

    /**
     * Steers the receive work of the bridge-side peer of {@code router}'s server-facing veth to {@code cpu}: RPS, and
     * with {@code peerRunsXdp} also its NAPI thread.
     */
    static ServerSideSteering steer(Lab lab, RouterHost router, int cpu, boolean peerRunsXdp) {
        String namespace = lab.switchNamespace();
        String peer = router.interfaceOn(Segment.BACK).orElseThrow(
                () -> new IllegalStateException(router.name() + " has no interface on the back segment")).bridgePort();
        writeRpsMask(namespace, peer, KernelForwarding.rpsMask(cpu));
        try {
            ThreadedNapi napi = peerRunsXdp ? ThreadedNapi.enable(namespace, peer, cpu) : null;
            return new ServerSideSteering(namespace, peer, cpu, napi);
        } catch (RuntimeException e) {
            try {
                writeRpsMask(namespace, peer, "0");
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /** Whether the steering holds: RPS always does; a NAPI thread must run on {@code cpu} alone. */
    boolean holds() {
        return napi == null || napi.onlyOn(cpu);
    }

    /** What was steered, e.g. "server side on CPU 0: rps_cpus=1 on bt3fa2r0bp; napi/bt3fa2r0bp-8195 (pid ...) ...". */
    String describe() {
        return "server side on CPU " + cpu + ": rps_cpus=" + KernelForwarding.rpsMask(cpu) + " on " + peer + " in " + namespace
                + (napi == null ? "" : "; " + napi.placement());
    }

    private static void writeRpsMask(String namespace, String device, String mask) {
        if (!device.matches("[0-9A-Za-z_.-]+")) {
            throw new IllegalArgumentException("not a lab interface name: '" + device + "'");
        }
        LocalCommand.runChecked(COMMAND_TIMEOUT, Tool.IP.require(), "netns", "exec", namespace,
                "sh", "-c", "echo " + mask + " > /sys/class/net/" + device + "/queues/rx-0/rps_cpus");
    }

    /** Undoes both; idempotent. The NAPI thread first, while the pass program is still attached. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        if (napi != null) {
            try {
                napi.close();
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        try {
            writeRpsMask(namespace, peer, "0");
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not undo the server side's steering in " + namespace + ": " + failures);
        }
    }
}
