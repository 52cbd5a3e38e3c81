package dev.baton.lab;

import java.util.List;

/**
 * A namespace for one Baton router: interfaces up with addresses, kernel forwarding off (the kernel would
 * otherwise forward VIP frames too), no ARP tweaks and no firewall rules; Baton does its own ARP handling. In a
 * one-segment lab the client- and server-facing interface is the same.
 */
public final class RouterHost extends Host {

    RouterHost(Lab lab, LabPlan.HostPlan plan, List<LabInterface> interfaces) {
        super(lab, plan, interfaces);
    }

    /** The interface facing the upstream and the clients (front segment). */
    public String clientInterface() {
        return clientSide().name();
    }

    /** The interface facing the servers (back segment); the same as {@link #clientInterface()} in one segment. */
    public String serverInterface() {
        return serverSide().name();
    }

    /** "192.0.2.2/24". */
    public String clientAddress() {
        return clientSide().address();
    }

    /** "198.51.100.2/24", or the client address in one-segment labs. */
    public String serverAddress() {
        return serverSide().address();
    }

    public String clientMac() {
        return clientSide().mac();
    }

    public String serverMac() {
        return serverSide().mac();
    }

    private LabInterface clientSide() {
        return interfaceOn(Segment.FRONT).orElseThrow();
    }

    private LabInterface serverSide() {
        return interfaceOn(Segment.BACK).orElseGet(this::clientSide);
    }
}
