package dev.baton.xdp;

import dev.baton.nativeio.KernelConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What the Java side writes into the XDP program's maps, in the forwarder's own terms: ports, VIPs, servers and flows.
 * Every call is one libbpf map call on segments allocated once here: no allocation, fit for a worker's duty cycle. One
 * instance per thread (the segments are not shared); the kernel serializes the maps themselves, so several instances
 * may write the same maps.
 *
 * <p>Addresses are the codec's {@code int}s (203.0.113.130 is {@code 0xCB007182}) and MACs its {@code long}s (the 48
 * low bits, first octet highest), as {@code Ipv4Flyweight} and {@code EthernetFlyweight} give them; ports 0-65535.
 */
public final class FastPathMaps implements AutoCloseable {
    private final XdpObject program;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment index = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment indexValue = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment port = arena.allocate(XdpLayouts.PORT);
    private final MemorySegment vip = arena.allocate(XdpLayouts.VIP);
    private final MemorySegment server = arena.allocate(XdpLayouts.SERVER);
    private final MemorySegment flowKey = arena.allocate(XdpLayouts.FLOW_KEY);
    private final MemorySegment flow = arena.allocate(XdpLayouts.FLOW);

    public FastPathMaps(XdpObject program) {
        this.program = program;
    }

    /** A port Baton opened: the program forwards only frames addressed to {@code mac} that arrive on it. */
    public void putPort(int ifindex, long mac) {
        index.set(ValueLayout.JAVA_INT, 0, ifindex);
        port.fill((byte) 0);
        putMac(port, XdpLayouts.PORT_MAC_OFFSET, mac);
        program.ports().put(index, port);
    }

    /** A port the program may redirect to (two-arm: servers behind another interface than the clients). */
    public void putEgress(int ifindex) {
        index.set(ValueLayout.JAVA_INT, 0, ifindex);
        indexValue.set(ValueLayout.JAVA_INT, 0, ifindex);
        program.egress().put(index, indexValue);
    }

    /**
     * Whether this router forwards {@code vipAddress} now: false leaves all its frames to the slow path. Returns 0, or
     * {@code -errno} (the caller counts it and writes again).
     */
    public int putVip(int vipAddress, boolean forwards) {
        index.set(XdpLayouts.WIRE_INT, 0, vipAddress);
        vip.fill((byte) 0);
        XdpLayouts.VIP_FLAGS.set(vip, 0L, forwards ? XdpLayouts.VIP_FORWARDS : 0);
        return program.vips().update(index, vip, Libbpf.BPF_ANY);
    }

    /**
     * Server {@code serverId}: its MAC, and the port it is reached through, which sends frames of at most
     * {@code maxFrame} bytes (MTU plus Ethernet header). Not {@code usable} (its MAC unknown, or its connections to be
     * dropped while it is down) sends its flows' frames to the slow path, which decides. Returns 0, or {@code -errno}
     * (the caller counts it and writes again).
     */
    public int putServer(int serverId, long mac, long sourceMac, int ifindex, int maxFrame, boolean usable) {
        index.set(ValueLayout.JAVA_INT, 0, serverId);
        server.fill((byte) 0);
        putMac(server, XdpLayouts.SERVER_MAC_OFFSET, mac);
        putMac(server, XdpLayouts.SERVER_SOURCE_MAC_OFFSET, sourceMac);
        XdpLayouts.SERVER_IFINDEX.set(server, 0L, ifindex);
        XdpLayouts.SERVER_FLAGS.set(server, 0L, usable ? XdpLayouts.SERVER_USABLE : 0);
        XdpLayouts.SERVER_MAX_FRAME.set(server, 0L, maxFrame);
        return program.servers().update(index, server, Libbpf.BPF_ANY);
    }

    /**
     * Lets the program forward the flow's frames to {@code serverId}. Returns 0, or {@code -errno}: {@code -E2BIG}
     * when the map is full (the slow path keeps forwarding the flow; the caller counts it).
     */
    public int insertFlow(int protocol, int client, int clientPort, int vipAddress, int vipPort, int serverId, int service,
                          long nowNs) {
        key(protocol, client, clientPort, vipAddress, vipPort);
        XdpLayouts.FLOW_LAST_SEEN_NS.set(flow, 0L, nowNs);
        XdpLayouts.FLOW_SERVER.set(flow, 0L, serverId);
        XdpLayouts.FLOW_SERVICE.set(flow, 0L, service);
        return program.flows().update(flowKey, flow, Libbpf.BPF_ANY);
    }

    /** Takes the flow back to the slow path: false when it was not in the map. */
    public boolean removeFlow(int protocol, int client, int clientPort, int vipAddress, int vipPort) {
        key(protocol, client, clientPort, vipAddress, vipPort);
        return program.flows().delete(flowKey);
    }

    /**
     * When the program last forwarded a frame of the flow (CLOCK_MONOTONIC nanoseconds, as {@code System.nanoTime()}),
     * or -1 when the flow is not in the map.
     */
    public long lastSeenNs(int protocol, int client, int clientPort, int vipAddress, int vipPort) {
        key(protocol, client, clientPort, vipAddress, vipPort);
        int result = Libbpf.mapLookupElem(program.flows().fd(), flowKey, flow);
        if (result == -KernelConstants.ENOENT) {
            return -1;
        }
        Libbpf.orThrow(result, "bpf_map_lookup_elem(baton_flows)");
        return (long) XdpLayouts.FLOW_LAST_SEEN_NS.get(flow, 0L);
    }

    private void key(int protocol, int client, int clientPort, int vipAddress, int vipPort) {
        flowKey.fill((byte) 0); // the padding is hashed too
        XdpLayouts.FLOW_KEY_CLIENT_ADDRESS.set(flowKey, 0L, client);
        XdpLayouts.FLOW_KEY_VIP_ADDRESS.set(flowKey, 0L, vipAddress);
        XdpLayouts.FLOW_KEY_CLIENT_PORT.set(flowKey, 0L, (short) clientPort);
        XdpLayouts.FLOW_KEY_VIP_PORT.set(flowKey, 0L, (short) vipPort);
        XdpLayouts.FLOW_KEY_PROTOCOL.set(flowKey, 0L, (byte) protocol);
    }

    private static void putMac(MemorySegment segment, long offset, long mac) {
        for (int i = 0; i < 6; i++) {
            segment.set(ValueLayout.JAVA_BYTE, offset + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
