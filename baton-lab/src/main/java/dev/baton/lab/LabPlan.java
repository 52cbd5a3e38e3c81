package dev.baton.lab;

import dev.baton.codec.Ipv4;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Everything a lab will be, computed before anything is created: names, addresses, routes and sysctls. Pure
 * data, so the naming and addressing rules are checked by unit tests without root, and a lab can be re-planned
 * from its state file ({@link Lab#attach(String)}).
 *
 * <p>Naming convention (docs/lab.md): the prefix is "bt" and 1..6 of [0-9a-z] (by default 4 random hex digits);
 * namespaces are {@code <prefix>-sw} (the bridges), {@code <prefix>-up}, {@code <prefix>-c<i>},
 * {@code <prefix>-r<i>}, {@code <prefix>-s<i>}; bridges are {@code <prefix><segment letter>}; a host's interface
 * is {@code <prefix><host name><segment letter>} and its peer on the bridge is the same name plus "p".
 *
 * @param prefix          per-run prefix carried by every name
 * @param layout          one or two segments behind the upstream
 * @param vips            the caller's virtual IP addresses, all in the front subnet
 * @param offloads        false to switch TSO/GSO/GRO and checksum offload off on every lab interface
 * @param switchNamespace the namespace holding the bridges
 * @param bridges         one per segment in use
 * @param hosts           upstream first, then clients, routers and servers, each by index
 */
record LabPlan(String prefix, Layout layout, List<Integer> vips, boolean offloads, String switchNamespace,
               List<BridgePlan> bridges, List<HostPlan> hosts) {

    static final int MAX_CLIENTS = 50;
    /** Routers take front addresses .2 to .9 so that .10, the customary first VIP, stays free. */
    static final int MAX_ROUTERS = 8;
    static final int MAX_SERVERS = 50;
    /** IFNAMSIZ is 16 including the terminating NUL (include/uapi/linux/if.h). */
    static final int MAX_INTERFACE_NAME_LENGTH = 15;

    static final Pattern PREFIX_PATTERN = Pattern.compile("bt[0-9a-z]{1,6}");
    /** Every namespace a lab (or {@link Lab#isSupported()}'s probe) ever creates; group 1 is the prefix. */
    static final Pattern NAMESPACE_PATTERN = Pattern.compile("(bt[0-9a-z]{1,6})-(sw|up|probe|[crs][0-9]{1,2})");

    /**
     * Applied in every lab namespace before any interface exists: IPv6 off, so no interface gets an fe80::
     * link-local address or sends router solicitations, DAD or MLD. The lab then carries only TEST-NET IPv4
     * traffic, and Baton's packet sockets see no unrelated frames.
     */
    static final List<String> NAMESPACE_SYSCTLS = List.of("net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1");

    static final String SWITCH_SUFFIX = "sw";
    static final String BRIDGE_PORT_SUFFIX = "p";

    static final int UPSTREAM_HOST_NUMBER = 1;
    static final int FIRST_ROUTER_HOST_NUMBER = 2;
    static final int FIRST_CLIENT_HOST_NUMBER = 10;
    static final int FIRST_SERVER_HOST_NUMBER = 11;

    /** One Linux bridge in the switch namespace. */
    record BridgePlan(String name, Segment segment) {
    }

    /**
     * One end of a veth pair in a host namespace, the other end ({@code bridgePort}) enslaved to {@code bridge}.
     */
    record InterfacePlan(String name, Segment segment, String bridge, String bridgePort, int address, int prefixLength) {

        String cidr() {
            return Ipv4.cidr(address, prefixLength);
        }
    }

    /**
     * One namespace and how to configure it.
     *
     * @param gateway           default route next hop, 0 for none (the upstream and routers have no default route)
     * @param loopbackAddresses /32 addresses on {@code lo} (the VIPs on servers)
     * @param sysctls           "key=value" assignments applied inside the namespace, in order
     */
    record HostPlan(HostRole role, int index, String name, String namespace, List<InterfacePlan> interfaces,
                    int gateway, List<Integer> loopbackAddresses, List<String> sysctls) {
    }

    /** "bt" and four random hex digits. */
    static String randomPrefix() {
        return "bt" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    static String namespaceName(String prefix, String hostName) {
        return prefix + "-" + hostName;
    }

    /**
     * Plans a lab.
     *
     * @throws IllegalArgumentException when a count, the prefix or a VIP breaks the rules, saying which
     */
    static LabPlan create(String prefix, Layout layout, int clients, int routers, int servers, List<String> vipTexts,
                          boolean offloads) {
        if (!PREFIX_PATTERN.matcher(prefix).matches()) {
            throw new IllegalArgumentException("lab prefix '" + prefix + "' must be \"bt\" followed by 1 to 6 of [0-9a-z]");
        }
        requireCount("clients", clients, MAX_CLIENTS);
        requireCount("routers", routers, MAX_ROUTERS);
        requireCount("servers", servers, MAX_SERVERS);
        Segment backSegment = layout == Layout.TWO_SEGMENTS ? Segment.BACK : Segment.FRONT;

        List<BridgePlan> bridges = new ArrayList<>();
        bridges.add(new BridgePlan(prefix + Segment.CLIENT.code(), Segment.CLIENT));
        bridges.add(new BridgePlan(prefix + Segment.FRONT.code(), Segment.FRONT));
        if (backSegment == Segment.BACK) {
            bridges.add(new BridgePlan(prefix + Segment.BACK.code(), Segment.BACK));
        }

        List<HostPlan> hosts = new ArrayList<>();
        List<Segment> upstreamSegments = backSegment == Segment.BACK
                ? List.of(Segment.CLIENT, Segment.FRONT, Segment.BACK) : List.of(Segment.CLIENT, Segment.FRONT);
        hosts.add(host(prefix, HostRole.UPSTREAM, 0, upstreamSegments, UPSTREAM_HOST_NUMBER, 0, List.of()));
        for (int i = 0; i < clients; i++) {
            hosts.add(host(prefix, HostRole.CLIENT, i, List.of(Segment.CLIENT), FIRST_CLIENT_HOST_NUMBER + i,
                    Segment.CLIENT.address(UPSTREAM_HOST_NUMBER), List.of()));
        }
        List<Segment> routerSegments = backSegment == Segment.BACK
                ? List.of(Segment.FRONT, Segment.BACK) : List.of(Segment.FRONT);
        for (int i = 0; i < routers; i++) {
            hosts.add(host(prefix, HostRole.ROUTER, i, routerSegments, FIRST_ROUTER_HOST_NUMBER + i, 0, List.of()));
        }
        List<Integer> vips = parseVips(vipTexts, hosts, servers, backSegment);
        for (int i = 0; i < servers; i++) {
            hosts.add(host(prefix, HostRole.SERVER, i, List.of(backSegment), FIRST_SERVER_HOST_NUMBER + i,
                    backSegment.address(UPSTREAM_HOST_NUMBER), vips));
        }
        return new LabPlan(prefix, layout, vips, offloads, namespaceName(prefix, SWITCH_SUFFIX), List.copyOf(bridges),
                List.copyOf(hosts));
    }

    private static void requireCount(String what, int count, int max) {
        if (count < 0 || count > max) {
            throw new IllegalArgumentException("a lab has 0 to " + max + " " + what + ", not " + count);
        }
    }

    /** A host with host number {@code hostNumber} (the last octet) on each of its segments. */
    private static HostPlan host(String prefix, HostRole role, int index, List<Segment> segments, int hostNumber,
                                 int gateway, List<Integer> loopbackAddresses) {
        String name = role == HostRole.UPSTREAM ? role.code() : role.code() + index;
        List<InterfacePlan> interfaces = new ArrayList<>();
        for (Segment segment : segments) {
            String interfaceName = prefix + name + segment.code();
            String bridgePort = interfaceName + BRIDGE_PORT_SUFFIX;
            if (bridgePort.length() > MAX_INTERFACE_NAME_LENGTH) {
                throw new IllegalStateException("interface name " + bridgePort + " is longer than "
                        + MAX_INTERFACE_NAME_LENGTH + " characters");
            }
            interfaces.add(new InterfacePlan(interfaceName, segment, prefix + segment.code(), bridgePort,
                    segment.address(hostNumber), Segment.PREFIX_LENGTH));
        }
        return new HostPlan(role, index, name, namespaceName(prefix, name), List.copyOf(interfaces), gateway,
                List.copyOf(loopbackAddresses), sysctls(role, interfaces));
    }

    /**
     * The kernel settings each role needs (Documentation/networking/ip-sysctl.rst). The effective rp_filter of an
     * interface is the maximum of "all" and the interface's own, and arp_ignore/arp_announce take the maximum too,
     * so both are always set.
     */
    private static List<String> sysctls(HostRole role, List<InterfacePlan> interfaces) {
        List<String> sysctls = new ArrayList<>();
        switch (role) {
            case UPSTREAM -> {
                // Forward between segments; server replies arrive on the back segment with the VIP (a front
                // address) as source, which strict or loose reverse-path filtering would drop.
                sysctls.add("net.ipv4.ip_forward=1");
                for (String scope : scopes(interfaces, false)) {
                    sysctls.add("net.ipv4.conf." + scope + ".rp_filter=0");
                }
            }
            case ROUTER -> sysctls.add("net.ipv4.ip_forward=0"); // Baton forwards; the kernel must not duplicate
            case SERVER -> {
                // Direct server return: the VIP is on lo, and only the router may answer ARP for it.
                // arp_ignore=1: reply only for addresses configured on the receiving interface.
                // arp_announce=2: always use the best local address of the outgoing interface as ARP source.
                for (String scope : scopes(interfaces, true)) {
                    sysctls.add("net.ipv4.conf." + scope + ".arp_ignore=1");
                    sysctls.add("net.ipv4.conf." + scope + ".arp_announce=2");
                }
            }
            case CLIENT -> {
                // kernel defaults
            }
        }
        return List.copyOf(sysctls);
    }

    private static List<String> scopes(List<InterfacePlan> interfaces, boolean withLoopback) {
        List<String> scopes = new ArrayList<>(List.of("all", "default"));
        if (withLoopback) {
            scopes.add("lo");
        }
        interfaces.forEach(anInterface -> scopes.add(anInterface.name()));
        return scopes;
    }

    private static List<Integer> parseVips(List<String> vipTexts, List<HostPlan> hostsSoFar, int servers,
                                           Segment serverSegment) {
        Set<Integer> taken = new HashSet<>();
        for (HostPlan host : hostsSoFar) {
            host.interfaces().forEach(anInterface -> taken.add(anInterface.address()));
        }
        for (int i = 0; i < servers; i++) {
            taken.add(serverSegment.address(FIRST_SERVER_HOST_NUMBER + i));
        }
        List<Integer> vips = new ArrayList<>();
        for (String text : vipTexts) {
            int vip = Ipv4.parse(text);
            if (!Ipv4.inSubnet(vip, Segment.FRONT.networkAddress(), Segment.PREFIX_LENGTH)) {
                throw new IllegalArgumentException("VIP " + text + " must be in the front subnet " + Segment.FRONT.subnet()
                        + " (TEST-NET-1), where the upstream ARPs for it");
            }
            int hostNumber = vip & 0xFF;
            if (hostNumber == 0 || hostNumber == 255) {
                throw new IllegalArgumentException("VIP " + text + " is the network or broadcast address of its subnet");
            }
            if (taken.contains(vip)) {
                throw new IllegalArgumentException("VIP " + text + " is already a lab host's address");
            }
            if (vips.contains(vip)) {
                throw new IllegalArgumentException("VIP " + text + " is given twice");
            }
            vips.add(vip);
        }
        return List.copyOf(vips);
    }

    /** Every namespace of the lab, the switch first. */
    List<String> namespaces() {
        List<String> namespaces = new ArrayList<>();
        namespaces.add(switchNamespace);
        hosts.forEach(host -> namespaces.add(host.namespace()));
        return List.copyOf(namespaces);
    }

    List<HostPlan> hosts(HostRole role) {
        return hosts.stream().filter(host -> host.role() == role).toList();
    }

    int count(HostRole role) {
        return hosts(role).size();
    }

    List<String> vipTexts() {
        return vips.stream().map(Ipv4::format).toList();
    }
}
