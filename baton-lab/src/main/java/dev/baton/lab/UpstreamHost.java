package dev.baton.lab;

import java.util.List;

/**
 * The previous-hop router (the patent's network in FIG. 1 between clients and the cluster): kernel forwarding on,
 * reverse-path filtering off (server replies carry the VIP as source but arrive on the back segment), and routes
 * only to the lab's own subnets.
 */
public final class UpstreamHost extends Host {

    UpstreamHost(Lab lab, LabPlan.HostPlan plan, List<LabInterface> interfaces) {
        super(lab, plan, interfaces);
    }

    /** Interface on the client segment (203.0.113.1). */
    public String clientInterface() {
        return on(Segment.CLIENT).name();
    }

    /** Interface on the front segment (192.0.2.1), where it ARPs for the VIPs. */
    public String frontInterface() {
        return on(Segment.FRONT).name();
    }

    /** Interface on the server side: the back segment (198.51.100.1), or the front one in one-segment labs. */
    public String backInterface() {
        return interfaceOn(Segment.BACK).orElseGet(() -> on(Segment.FRONT)).name();
    }

    /** "203.0.113.1/24". */
    public String clientAddress() {
        return on(Segment.CLIENT).address();
    }

    /** "192.0.2.1/24". */
    public String frontAddress() {
        return on(Segment.FRONT).address();
    }

    /** The servers' gateway with prefix length: "198.51.100.1/24", or "192.0.2.1/24" in one-segment labs. */
    public String backAddress() {
        return interfaceOn(Segment.BACK).orElseGet(() -> on(Segment.FRONT)).address();
    }

    private LabInterface on(Segment segment) {
        return interfaceOn(segment).orElseThrow();
    }
}
