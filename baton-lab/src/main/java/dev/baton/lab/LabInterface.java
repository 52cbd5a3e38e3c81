package dev.baton.lab;

import dev.baton.codec.Ipv4;

/**
 * A host's end of a veth pair; the other end ({@link #bridgePort()}) is a port of {@link #bridge()} in the lab's
 * switch namespace.
 *
 * @param name       interface name inside the host's namespace, e.g. "bt3fa2r0f"
 * @param segment    the L2 segment it is on
 * @param address    its IPv4 address with prefix length, e.g. "192.0.2.2/24"
 * @param mac        its Ethernet address, "aa:bb:cc:dd:ee:ff" (chosen by the kernel at creation)
 * @param bridge     the bridge it is attached to, e.g. "bt3fa2f"
 * @param bridgePort the peer interface on the bridge, e.g. "bt3fa2r0fp"
 */
public record LabInterface(String name, Segment segment, String address, String mac, String bridge, String bridgePort) {

    /** The address without its prefix length, e.g. "192.0.2.2". */
    public String ip() {
        return address.substring(0, address.indexOf('/'));
    }

    /** The address as an int (192.0.2.2 is 0xC0000202). */
    public int ipAsInt() {
        return Ipv4.parse(ip());
    }
}
