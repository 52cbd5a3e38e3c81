package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * This router's reachability set and how the active reach-ability manager compares routers (RM 230; US 6,148,410
 * FIG. 4, FIG. 6, claims 1, 2, 9 and 13). Two routers may have different sets (FIG. 6): each file says what its
 * own router must reach.
 *
 * @param compare        the configurable function that orders the routers
 * @param minImprovement how much better (elements, or weight) a standby must be before it is handed the VIP
 * @param hold           how long it must stay that much better
 * @param reportInterval how often this router sends its report to its peers (and at once on a change)
 * @param targets        the reachability set, in file order
 */
public record ReachabilitySettings(Compare compare, long minImprovement, Duration hold, Duration reportInterval,
                                   List<Target> targets) {

    public ReachabilitySettings {
        Objects.requireNonNull(compare, "compare");
        Objects.requireNonNull(hold, "hold");
        Objects.requireNonNull(reportInterval, "reportInterval");
        targets = List.copyOf(targets);
    }

    /** The compare functions. Written in the file as {@link #configName()}. */
    public enum Compare {
        /** Most elements reached wins. */
        COUNT("count"),
        /** Highest sum of the weights of the elements reached wins. */
        WEIGHTED("weighted"),
        /** A router missing a required element is worse than any that reaches them all; then by weight. */
        REQUIRED("required");

        private final String configName;

        Compare(String configName) {
            this.configName = configName;
        }

        /** The word used for this function in the configuration file. */
        public String configName() {
            return configName;
        }
    }

    /** How an element is probed. Written in the file as {@link #configName()}. */
    public enum Probe {
        /** An ARP request on the attached segment is answered (RFC 826): on-link hosts such as the previous hop. */
        ARP("arp"),
        /** An ICMP echo is answered (RFC 792). */
        ICMP("icmp"),
        /** A TCP connection to {@code port} is accepted. */
        TCP("tcp"),
        /** A service's servers, by their health checks: reachable while at least {@code min-up} of them are up. */
        SERVICE("service");

        private final String configName;

        Probe(String configName) {
            this.configName = configName;
        }

        /** The word used for this probe in the configuration file. */
        public String configName() {
            return configName;
        }
    }

    /**
     * One element of the reachability set: a host ({@code address}), a subnet ({@code subnet}, by some of its hosts)
     * or a service's servers ({@code service}, by their health checks).
     *
     * @param name     unique in the set: 1..24 of {@code A-Z a-z 0-9 . _ : -} (it travels in the peer report)
     * @param probe    how it is probed
     * @param address  the host probed (int, see {@code Ipv4}); 0 for a service element
     * @param port     TCP: the port; otherwise 0
     * @param service  SERVICE: the service whose servers make the element; otherwise {@code null}
     * @param minUp    SERVICE: how many of its servers must be up; a subnet element: how many of its members; otherwise 0
     * @param interval how often it is probed, each member of a subnet element alike (ignored for a service element: its
     *                 health check's)
     * @param timeout  how long a probe may take, less than {@code interval}
     * @param rise     answers in a row that make it reachable again
     * @param fall     failures in a row that make it unreachable
     * @param weight   its weight in the {@code weighted} and {@code required} scores
     * @param required whether a router that does not reach it is worse, under {@code required}, than any that
     *                 reaches all its required elements
     * @param subnet   a subnet element (the patent's "hosts or subnets", claims 1 and 13): the subnet, written with its
     *                 network address; otherwise {@code null}. Its members are probed with {@code probe} (and
     *                 {@code port}), and it is reachable while at least {@code minUp} of them answer
     * @param members  a subnet element: the hosts probed, inside {@code subnet}, each once: the {@code addresses}
     *                 listed or, without them, every configured server address inside the subnet (servers and
     *                 fallback servers of every service, with their alternates) in file order; otherwise empty
     */
    public record Target(String name, Probe probe, int address, int port, String service, int minUp, Duration interval,
                         Duration timeout, int rise, int fall, int weight, boolean required, Ipv4Prefix subnet,
                         List<Integer> members) {

        public Target {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(probe, "probe");
            if ((probe == Probe.SERVICE) != (service != null)) {
                throw new IllegalArgumentException("a service element names a service, and only it");
            }
            if (timeout.compareTo(interval) >= 0) {
                throw new IllegalArgumentException("timeout " + timeout + " is not below interval " + interval);
            }
            members = List.copyOf(members);
            if (subnet == null ? !members.isEmpty() : probe == Probe.SERVICE || members.isEmpty()
                    || subnet.address() != subnet.networkAddress() || minUp < 1 || minUp > members.size()) {
                throw new IllegalArgumentException(name + ": a subnet element has a subnet written with its network address, a probe"
                        + " of its own and at least min-up (1 or more) members; no other element has members");
            }
            for (int member : members) {
                if (!subnet.contains(member)) {
                    throw new IllegalArgumentException(name + ": member " + Ipv4.format(member) + " is not inside "
                            + subnet.subnetText());
                }
            }
        }

        /** A host or service element: no subnet, no members. */
        public Target(String name, Probe probe, int address, int port, String service, int minUp, Duration interval,
                      Duration timeout, int rise, int fall, int weight, boolean required) {
            this(name, probe, address, port, service, minUp, interval, timeout, rise, fall, weight, required, null, List.of());
        }

        /** Whether this is a subnet element (its health is that of {@link #members}, at least {@link #minUp} of them). */
        public boolean ofSubnet() {
            return subnet != null;
        }
    }
}
