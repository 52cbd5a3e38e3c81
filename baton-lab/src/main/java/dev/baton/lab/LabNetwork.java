package dev.baton.lab;

import dev.baton.codec.Ipv4;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link LabPlan} into namespaces, bridges and veth pairs with iproute2, and reads back what the kernel
 * chose (MAC addresses). Every device is created directly inside its namespace ({@code ip -n}, {@code peer ...
 * netns}), so the root namespace never holds a lab device, not even for a moment.
 */
final class LabNetwork {

    private LabNetwork() {
    }

    /** Creates the lab; on failure the caller removes whatever exists (every step is named in the exception). */
    static void create(LabPlan plan) {
        String switchNamespace = plan.switchNamespace();
        for (String namespace : plan.namespaces()) {
            Netns.add(namespace);
            // -e: a kernel without IPv6 has no such keys, and then there is nothing to switch off
            sysctl(namespace, true, LabPlan.NAMESPACE_SYSCTLS);
            Netns.ip(namespace, "link", "set", "lo", "up");
        }
        for (LabPlan.BridgePlan bridge : plan.bridges()) {
            // STP off (the default): a lab segment is loop-free, and ports then forward as soon as they are up.
            Netns.ip(switchNamespace, "link", "add", "name", bridge.name(), "type", "bridge", "stp_state", "0");
            Netns.ip(switchNamespace, "link", "set", bridge.name(), "up");
        }
        for (LabPlan.HostPlan host : plan.hosts()) {
            for (LabPlan.InterfacePlan anInterface : host.interfaces()) {
                Netns.ip(switchNamespace, "link", "add", "name", anInterface.bridgePort(), "type", "veth",
                        "peer", "name", anInterface.name(), "netns", host.namespace());
                Netns.ip(switchNamespace, "link", "set", anInterface.bridgePort(), "master", anInterface.bridge(), "up");
            }
        }
        for (LabPlan.HostPlan host : plan.hosts()) {
            configure(host);
        }
        if (!plan.offloads()) {
            disableOffloads(plan);
        }
    }

    /**
     * Adds the heartbeat cable ({@link HeartbeatCable}) between the plan's routers 0 and 1: a veth pair created
     * in router 0's namespace with its peer moved straight into router 1's, an address on each end, both up. It
     * joins no bridge. Offloads follow the plan, like every other lab interface.
     */
    static void createHeartbeatCable(LabPlan plan) {
        List<LabPlan.HostPlan> routers = plan.hosts(HostRole.ROUTER);
        if (routers.size() < 2) {
            throw new IllegalArgumentException("a heartbeat cable needs two routers, the lab has " + routers.size());
        }
        LabPlan.HostPlan first = routers.get(0);
        LabPlan.HostPlan second = routers.get(1);
        String firstName = HeartbeatCable.interfaceName(plan.prefix(), first.name());
        String secondName = HeartbeatCable.interfaceName(plan.prefix(), second.name());
        Netns.ip(first.namespace(), "link", "add", "name", firstName, "type", "veth", "peer", "name", secondName,
                "netns", second.namespace());
        Netns.ip(first.namespace(), "address", "add", HeartbeatCable.FIRST_ADDRESS, "dev", firstName);
        Netns.ip(second.namespace(), "address", "add", HeartbeatCable.SECOND_ADDRESS, "dev", secondName);
        Netns.ip(first.namespace(), "link", "set", firstName, "up");
        Netns.ip(second.namespace(), "link", "set", secondName, "up");
        if (!plan.offloads()) {
            ethtoolOffloadsOff(first.namespace(), firstName);
            ethtoolOffloadsOff(second.namespace(), secondName);
        }
    }

    /**
     * Sysctls first, while the interfaces are still down, so that a server never answers ARP for a VIP; then
     * addresses, links up, VIPs on lo, and the default route.
     */
    private static void configure(LabPlan.HostPlan host) {
        if (!host.sysctls().isEmpty()) {
            sysctl(host.namespace(), false, host.sysctls());
        }
        for (LabPlan.InterfacePlan anInterface : host.interfaces()) {
            Netns.ip(host.namespace(), "address", "add", anInterface.cidr(), "dev", anInterface.name());
            Netns.ip(host.namespace(), "link", "set", anInterface.name(), "up");
        }
        for (int address : host.loopbackAddresses()) {
            Netns.ip(host.namespace(), "address", "add", Ipv4.cidr(address, 32), "dev", "lo");
        }
        if (host.gateway() != 0) {
            Netns.ip(host.namespace(), "route", "add", "default", "via", Ipv4.format(host.gateway()));
        }
    }

    /**
     * Sets {@code assignments} ("key=value") inside {@code namespace} with one sysctl(8) run; with
     * {@code ignoreUnknownKeys} (sysctl -e) keys this kernel does not have are skipped instead of failing.
     */
    static void sysctl(String namespace, boolean ignoreUnknownKeys, List<String> assignments) {
        List<String> command = new ArrayList<>(List.of(Tool.SYSCTL.require(), "-q"));
        if (ignoreUnknownKeys) {
            command.add("-e");
        }
        command.add("-w");
        command.addAll(assignments);
        Netns.exec(namespace, Commands.SETUP_TIMEOUT, command).requireSuccess(Netns.execCommand(namespace, command));
    }

    /** TSO, GSO, GRO and transmit checksum offload off on both ends of every veth (ethtool(8) -K). */
    private static void disableOffloads(LabPlan plan) {
        for (LabPlan.HostPlan host : plan.hosts()) {
            for (LabPlan.InterfacePlan anInterface : host.interfaces()) {
                ethtoolOffloadsOff(host.namespace(), anInterface.name());
                ethtoolOffloadsOff(plan.switchNamespace(), anInterface.bridgePort());
            }
        }
    }

    static void ethtoolOffloadsOff(String namespace, String interfaceName) {
        List<String> command = List.of(Tool.ETHTOOL.require(), "-K", interfaceName, "tx", "off", "tso", "off", "gso", "off",
                "gro", "off");
        Netns.exec(namespace, Commands.SETUP_TIMEOUT, command).requireSuccess(Netns.execCommand(namespace, command));
    }

    /** Interface name to MAC address for every host namespace of the plan, keyed by namespace. */
    static Map<String, Map<String, String>> readMacs(LabPlan plan) {
        Map<String, Map<String, String>> macs = new HashMap<>();
        for (LabPlan.HostPlan host : plan.hosts()) {
            macs.put(host.namespace(), parseBriefLinks(Netns.ip(host.namespace(), "-br", "link", "show").stdout()));
        }
        return macs;
    }

    /** Parses {@code ip -br link}: "name[@peer] STATE mac &lt;FLAGS&gt;" per line. */
    static Map<String, String> parseBriefLinks(String output) {
        Map<String, String> macs = new HashMap<>();
        for (String line : output.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 3) {
                String name = fields[0];
                int at = name.indexOf('@');
                macs.put(at < 0 ? name : name.substring(0, at), fields[2]);
            }
        }
        return macs;
    }
}
