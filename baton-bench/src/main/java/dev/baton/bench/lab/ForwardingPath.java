package dev.baton.bench.lab;

/** Who forwards in the router namespace during a measurement. */
public enum ForwardingPath {
    /** A {@code baton run} JVM on AF_PACKET rings, pinned to the router CPU; kernel forwarding off. */
    BATON("Baton"),
    /** Linux IP forwarding with RPS steering the work to the router CPU; Baton stopped. */
    KERNEL("kernel");

    /** A short name for tables. */
    public final String label;

    ForwardingPath(String label) {
        this.label = label;
    }
}
