package dev.baton.bench.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who forwards in the router namespace during a measurement. Every contestant's router work runs on the router
 * CPU: RPS steers the client-facing interface's receive work there for all three, Baton's JVM is pinned there,
 * and for {@link #XDP} (native) the veth's NAPI poll, where the program runs, is a kernel thread pinned there too.
 */
public enum Contestant {
    /** Linux IP forwarding with RPS steering the work to the router CPU; Baton stopped. */
    KERNEL("kernel", null),
    /** A {@code baton run} JVM with {@code router.datapath: af-packet}: every frame through its packet rings. */
    AF_PACKET("af-packet", "af-packet"),
    /**
     * A {@code baton run} JVM with {@code router.datapath: xdp} and {@code router.xdp-mode: native}: its program
     * forwards established flows in the veth's NAPI poll, the rest goes up to the rings.
     */
    XDP("xdp", "xdp"),
    /**
     * The same with {@code router.xdp-mode: generic}: the program runs on the skb in the kernel's receive path (after
     * RPS, so on the router CPU), redirects with {@code dev_queue_xmit}; what the lab suites run on veths
     * (docs/operations.md, "XDP on a veth"), and what a NIC whose driver has no XDP support gets.
     */
    XDP_GENERIC("xdp-generic", "xdp");

    /** The name in {@code --contestants} and in the tables. */
    public final String label;
    /** Baton's {@code router.datapath}, or null for the kernel. */
    public final String datapath;

    Contestant(String label, String datapath) {
        this.label = label;
        this.datapath = datapath;
    }

    /** Whether Baton runs its XDP program, in either mode. */
    public boolean isXdp() {
        return this == XDP || this == XDP_GENERIC;
    }

    /** Whether a {@code baton run} process forwards. */
    public boolean isBaton() {
        return datapath != null;
    }

    /**
     * A comma-separated list of labels, in the order they run within each repetition, e.g. "kernel,af-packet,xdp".
     *
     * @throws IllegalArgumentException for an unknown or repeated name, or an empty list
     */
    public static List<Contestant> parseList(String value) {
        List<Contestant> contestants = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            Contestant contestant = null;
            for (Contestant c : values()) {
                if (c.label.equals(name)) {
                    contestant = c;
                }
            }
            if (contestant == null) {
                throw new IllegalArgumentException("--contestants: '" + part.strip() + "' is not one of kernel, af-packet, xdp, xdp-generic"
                        + " (e.g. --contestants kernel,af-packet,xdp)");
            }
            if (contestants.contains(contestant)) {
                throw new IllegalArgumentException("--contestants: " + name + " is named twice in '" + value + "'");
            }
            contestants.add(contestant);
        }
        return List.copyOf(contestants);
    }
}
