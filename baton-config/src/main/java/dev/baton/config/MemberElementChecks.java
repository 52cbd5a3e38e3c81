package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks of the reachability elements made of members, each reachable while at least {@code min-up} of its
 * members are: a service's servers (by their health checks) and a subnet's hosts. The patent's reach-ability set
 * is "the configured list of hosts or subnets that must be monitored for reach-ability" (US 6,148,410, RM 230;
 * claims 1 and 13). One instance checks one set: it also counts the members of all its subnet elements.
 */
final class MemberElementChecks {

    private final ProblemCollector problems;
    private final ConfigDraft draft;
    /** The members of the subnet elements checked so far, and whether their total was found too many. */
    private int subnetMembers;
    private boolean subnetMembersReported;

    MemberElementChecks(ProblemCollector problems, ConfigDraft draft) {
        this.problems = problems;
        this.draft = draft;
    }

    /** {@code addresses} names the hosts of a subnet element; on any other it is a mistake. */
    void addressesOnlyOnASubnet(ConfigDraft.Target target) {
        target.addresses().ifPresent(addresses -> problems.add(addresses.getFirst().at(), target.keyPath() + ".addresses",
                "applies only to a subnet element (the hosts of its subnet to probe)", "subnet: 198.51.100.0/24"));
    }

    /** A service element: the service exists, has a health check, and has at least {@code min-up} servers. */
    void checkService(ConfigDraft.Target target) {
        Located<String> name = target.service().get();
        if (!target.probe().defaulted() && target.probe().valid() && target.probe().value() != ReachabilitySettings.Probe.SERVICE) {
            problems.add(target.probe().at(), target.probe().keyPath(), "a service element is probed by its servers' health"
                    + " checks; leave probe out", "service: " + (name.valid() ? name.value() : "web"));
        }
        target.port().ifPresent(port -> problems.add(port.at(), port.keyPath(), "applies only to probe tcp; a service element"
                + " is probed by its servers' health checks", "service: web"));
        addressesOnlyOnASubnet(target);
        if (!name.valid()) {
            return;
        }
        ConfigDraft.Service service = null;
        List<String> names = new ArrayList<>();
        for (ConfigDraft.Service candidate : draft.services()) {
            if (candidate.name().valid()) {
                names.add(candidate.name().value());
                if (candidate.name().value().equals(name.value())) {
                    service = candidate;
                }
            }
        }
        if (service == null) {
            String message = "'" + name.value() + "' is not the name of a service (" + String.join(", ", names) + ")";
            problems.add(name.at(), name.keyPath(), Suggestions.closest(name.value(), names)
                    .map(s -> message + "; did you mean '" + s + "'?").orElse(message), "service: " + (names.isEmpty() ? "web" : names.getFirst()));
            return;
        }
        if (service.healthCheck().isEmpty()) {
            problems.add(name.at(), name.keyPath(), service.label() + " has no health-check; a service element is reachable"
                    + " while its servers pass their checks", "health-check: { type: tcp }");
        }
        if (target.minUp().isPresent() && target.minUp().get().valid() && target.minUp().get().value() > service.servers().size()) {
            Located<Integer> minUp = target.minUp().get();
            problems.add(minUp.at(), minUp.keyPath(), minUp.value() + " is more than the " + service.servers().size()
                    + " servers of " + service.label(), "min-up: 1");
        }
    }

    /**
     * A subnet element: the subnet is written with its network address; with probe {@code arp} it lies on an attached
     * segment (as an {@code arp} host must); its members are the {@code addresses} listed (1..64 hosts inside the
     * subnet, each once) or else the configured server addresses inside it (at least one, at most 64); and
     * {@code min-up} is at most their number. The probe and port are checked as a host element's.
     */
    void checkSubnet(ConfigDraft.Target target) {
        Located<Ipv4Prefix> located = target.subnet().get();
        if (!located.valid()) {
            return;
        }
        Ipv4Prefix subnet = located.value();
        if (subnet.address() != subnet.networkAddress()) {
            problems.add(located.at(), located.keyPath(), subnet + " has host bits set; a subnet is written with its network"
                    + " address (" + subnet.subnetText() + " holds " + Ipv4.format(subnet.address()) + ")", "subnet: " + subnet.subnetText());
            return;
        }
        Located<ReachabilitySettings.Probe> probe = target.probe();
        if (probe.valid() && probe.value() == ReachabilitySettings.Probe.ARP && draft.interfacesComplete() && !attached(subnet)) {
            problems.add(located.at(), located.keyPath(), subnet.subnetText() + " is not within an attached subnet; ARP reaches"
                    + " only hosts on the router's own segments (use probe icmp or tcp for a subnet further away)", "probe: icmp");
        }
        boolean listed = target.addresses().isPresent();
        int members = listed ? listedMembers(target.addresses().get(), subnet) : serverMembers(located);
        if (members < 0) {
            return; // a problem with the members is reported: their number is not known
        }
        Located<Integer> minUp = target.minUp().orElse(null);
        if (minUp != null && minUp.valid() && minUp.value() > members) {
            problems.add(minUp.at(), minUp.keyPath(), minUp.value() + " is more than the " + members + " members of "
                    + target.label() + (listed ? " (its addresses)" : " (the server addresses inside " + subnet.subnetText() + ")"),
                    "min-up: " + members);
        }
        subnetMembers += members;
        if (subnetMembers > ConfigLimits.MAX_SUBNET_MEMBERS_TOTAL && !subnetMembersReported) {
            subnetMembersReported = true;
            problems.add(located.at(), located.keyPath(), "brings the members of the subnet elements to " + subnetMembers
                    + "; all subnet elements together probe at most " + ConfigLimits.MAX_SUBNET_MEMBERS_TOTAL + " hosts", "");
        }
    }

    /** Whether {@code subnet} lies within the subnet of one of the router's interfaces. */
    private boolean attached(Ipv4Prefix subnet) {
        for (ConfigDraft.Interface entry : draft.interfaces()) {
            Ipv4Prefix own = entry.address().value();
            if (own.prefixLength() <= subnet.prefixLength() && own.contains(subnet.networkAddress())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The number of {@code addresses}, or -1 when one of them is wrong (reported). Only the first 64 are looked at
     * (a longer list is itself the problem), so a hostile list costs no more than a long valid one.
     */
    private int listedMembers(List<Located<Integer>> addresses, Ipv4Prefix subnet) {
        boolean wrong = false;
        for (int i = 0; i < addresses.size(); i++) {
            Located<Integer> member = addresses.get(i);
            if (i == ConfigLimits.MAX_SUBNET_MEMBERS) {
                problems.add(member.at(), member.keyPath(), "is address number " + (i + 1) + "; a subnet element probes at most "
                        + ConfigLimits.MAX_SUBNET_MEMBERS + " hosts", "");
                return -1;
            }
            if (!member.valid()) {
                wrong = true;
                continue;
            }
            String finding = memberProblem(addresses, i, subnet);
            if (finding != null) {
                problems.add(member.at(), member.keyPath(), finding, "addresses: [" + Ipv4.format(exampleHost(subnet)) + "]");
                wrong = true;
            }
        }
        return wrong ? -1 : addresses.size();
    }

    /** What is wrong with the {@code index}th address listed, or {@code null}. */
    private String memberProblem(List<Located<Integer>> addresses, int index, Ipv4Prefix subnet) {
        int address = addresses.get(index).value();
        String text = Ipv4.format(address);
        if (!subnet.contains(address)) {
            return text + " is not inside " + subnet.subnetText();
        }
        if (subnet.hasNetworkAndBroadcastAddresses() && address == subnet.networkAddress()) {
            return text + " is the network address of " + subnet.subnetText() + ", not a host";
        }
        if (subnet.hasNetworkAndBroadcastAddresses() && address == subnet.broadcastAddress()) {
            return text + " is the broadcast address of " + subnet.subnetText() + ", not a host";
        }
        for (int j = 0; j < index; j++) {
            Located<Integer> earlier = addresses.get(j);
            if (earlier.valid() && earlier.value() == address) {
                return text + " is listed twice (first at line " + earlier.at().line() + ")";
            }
        }
        for (ConfigDraft.Interface entry : draft.interfaces()) {
            if (entry.address().valid() && entry.address().value().address() == address) {
                return text + " is the address of interface " + (entry.name().valid() ? entry.name().value() : entry.keyPath())
                        + "; the router would answer its own probe";
            }
        }
        return null;
    }

    /** The number of configured server addresses inside the subnet, or -1 when there are none or too many (reported). */
    private int serverMembers(Located<Ipv4Prefix> located) {
        Ipv4Prefix subnet = located.value();
        List<Integer> servers = draft.serverAddressesIn(subnet);
        if (servers.isEmpty()) {
            problems.add(located.at(), located.keyPath(), "no configured server address (of any service, alternates and fallback"
                    + " servers included) is inside " + subnet.subnetText() + "; list the hosts to probe under addresses",
                    "addresses: [" + Ipv4.format(exampleHost(subnet)) + "]");
            return -1;
        }
        if (servers.size() > ConfigLimits.MAX_SUBNET_MEMBERS) {
            problems.add(located.at(), located.keyPath(), servers.size() + " configured server addresses are inside "
                    + subnet.subnetText() + "; a subnet element probes at most " + ConfigLimits.MAX_SUBNET_MEMBERS
                    + " hosts: list the ones to probe under addresses", "addresses: [" + Ipv4.format(servers.get(0)) + ", "
                    + Ipv4.format(servers.get(1)) + "]");
            return -1;
        }
        return servers.size();
    }

    /** A host of {@code subnet} to show in an example: its first. */
    private static int exampleHost(Ipv4Prefix subnet) {
        return subnet.hasNetworkAndBroadcastAddresses() ? subnet.networkAddress() + 1 : subnet.networkAddress();
    }
}
