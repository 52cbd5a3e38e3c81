package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The checks that relate several values of a {@link ConfigDraft}: duplicates, subnets, VIPs that collide
 * with real addresses, ring geometry as a whole. They run on whatever the reader could read, skipping
 * values that were already reported, so one pass reports every independent problem.
 */
final class ConfigChecks {

    private final ProblemCollector problems;

    ConfigChecks(ProblemCollector problems) {
        this.problems = problems;
    }

    void check(ConfigDraft draft) {
        checkRing(draft.router().ring());
        checkNeighbours(draft.neighbours());
        checkInterfaces(draft);
        checkServiceNames(draft.services());
        checkPorts(draft.services());
        for (ConfigDraft.Service service : draft.services()) {
            checkServers(draft, service);
            checkVip(draft, service);
            service.healthCheck().ifPresent(this::checkHealthCheck);
        }
        checkTakeoverUnits(draft.services());
        draft.highAvailability().ifPresent(ha -> checkHighAvailability(draft, ha));
        draft.reachability().ifPresent(reachability -> checkReachability(draft, reachability));
        draft.metrics().ifPresent(metrics -> checkMetrics(draft, metrics));
    }

    /** The metrics listener stays with this router: a VIP moves to a peer, and the host guard drops its traffic. */
    private void checkMetrics(ConfigDraft draft, ConfigDraft.Metrics metrics) {
        Located<MetricsSettings> listen = metrics.listen();
        if (!listen.valid()) {
            return;
        }
        for (ConfigDraft.Service service : draft.services()) {
            if (service.vip().valid() && service.vip().value() == listen.value().address()) {
                String example = draft.interfaces().stream().filter(i -> i.address().valid()).findFirst()
                        .map(i -> "listen: " + Ipv4.format(i.address().value().address()) + ":" + listen.value().port())
                        .orElse(ConfigSchema.METRICS_LISTEN.example());
                problems.add(listen.at(), listen.keyPath(), Ipv4.format(listen.value().address()) + " is the VIP of "
                        + service.label() + " (line " + service.vip().at().line() + "); a VIP moves between routers, so the "
                        + "metrics listener needs an address of this router that stays", example);
                return;
            }
        }
    }

    // ---- health checks and reachability ---------------------------------------------------------------

    private void checkHealthCheck(ConfigDraft.HealthCheck check) {
        timeoutBelowInterval(check.timeout(), check.interval());
        Located<HealthCheckSettings.Kind> kind = check.kind();
        if (!kind.valid()) {
            return;
        }
        if (kind.value() != HealthCheckSettings.Kind.HTTPS) {
            check.tlsVerify().ifPresent(verify -> problems.add(verify.at(), verify.keyPath(), "applies only to type https (this"
                    + " check is " + kind.value().configName() + ")", "type: https"));
        }
        if (kind.value().http()) {
            return;
        }
        for (Optional<? extends Located<?>> httpOnly : List.of(check.path(), check.host(), check.expectStatus(), check.expectBody())) {
            httpOnly.ifPresent(value -> problems.add(value.at(), value.keyPath(), "applies only to type http or https (this check is "
                    + kind.value().configName() + ")", "type: http"));
        }
        if (kind.value() == HealthCheckSettings.Kind.NONE) {
            check.port().ifPresent(port -> problems.add(port.at(), port.keyPath(), "applies only to type tcp, http or https (this"
                    + " check is none)", "type: tcp"));
        }
    }

    /** A probe that may take as long as its interval would overlap the next one: at most one is in flight. */
    private void timeoutBelowInterval(Located<Duration> timeout, Located<Duration> interval) {
        if (timeout.valid() && interval.valid() && timeout.value().compareTo(interval.value()) >= 0) {
            problems.add(timeout.at(), timeout.keyPath(), ConfigValues.formatDuration(timeout.value()) + defaultNote(timeout)
                            + " must be below interval (" + ConfigValues.formatDuration(interval.value()) + defaultNote(interval)
                            + "): a probe must end before the next one starts",
                    "timeout: " + ConfigValues.formatDuration(interval.value().dividedBy(2)));
        }
    }

    private void checkReachability(ConfigDraft draft, ConfigDraft.Reachability reachability) {
        MemberElementChecks members = new MemberElementChecks(problems, draft);
        List<ConfigDraft.Target> targets = reachability.targets();
        if (targets.size() > ConfigLimits.MAX_REACHABILITY_TARGETS) {
            ConfigDraft.Target first = targets.get(ConfigLimits.MAX_REACHABILITY_TARGETS);
            problems.add(first.at(), first.keyPath(), "is element number " + (ConfigLimits.MAX_REACHABILITY_TARGETS + 1)
                    + "; a reachability set has at most " + ConfigLimits.MAX_REACHABILITY_TARGETS
                    + " (it travels to the peers in one report): use a service element for a whole cluster", "service: web");
        }
        for (int i = 0; i < targets.size(); i++) {
            ConfigDraft.Target target = targets.get(i);
            for (int j = 0; j < i; j++) {
                Located<String> earlier = targets.get(j).name();
                if (target.name().valid() && earlier.valid() && earlier.value().equals(target.name().value())) {
                    problems.add(target.name().at(), target.name().keyPath(), "'" + target.name().value()
                            + "' is already the name of " + targets.get(j).keyPath() + " (line " + earlier.at().line() + ")",
                            "name: " + target.name().value() + "-2");
                    break;
                }
            }
            checkTarget(draft, target, members);
        }
    }

    private void checkTarget(ConfigDraft draft, ConfigDraft.Target target, MemberElementChecks members) {
        timeoutBelowInterval(target.timeout(), target.interval());
        // The patent's set holds "hosts or subnets" (claims 1 and 13); Baton adds a service's servers.
        List<String> kinds = new ArrayList<>();
        target.address().ifPresent(address -> kinds.add("address"));
        target.subnet().ifPresent(subnet -> kinds.add("subnet"));
        target.service().ifPresent(service -> kinds.add("service"));
        if (kinds.size() != 1) {
            problems.add(target.at(), target.keyPath(), kinds.isEmpty()
                            ? "needs address (a host to probe), subnet (hosts of a subnet) or service (a service's servers,"
                            + " by their health checks)"
                            : "has " + (kinds.size() == 2 ? "both " + String.join(" and ", kinds) : "address, subnet and service")
                            + "; an element is a host, a subnet or a service's servers",
                    "address: 192.0.2.1");
            return;
        }
        Located<ReachabilitySettings.Probe> probe = target.probe();
        if (target.service().isPresent()) {
            members.checkService(target);
            return;
        }
        boolean ofSubnet = target.subnet().isPresent();
        if (!ofSubnet) {
            target.minUp().ifPresent(minUp -> problems.add(minUp.at(), minUp.keyPath(), "applies only to a service or subnet"
                    + " element", "service: web"));
            members.addressesOnlyOnASubnet(target);
        } else {
            members.checkSubnet(target);
        }
        if (!probe.valid()) {
            return;
        }
        if (probe.value() == ReachabilitySettings.Probe.SERVICE) {
            problems.add(probe.at(), probe.keyPath(), "service is the probe of a service element; this one has "
                    + (ofSubnet ? "a subnet" : "an address"), "probe: icmp");
        } else if (probe.value() == ReachabilitySettings.Probe.TCP && target.port().isEmpty()) {
            problems.add(target.at(), target.keyPath() + ".port", "is missing; a tcp probe connects to a port", "port: 80");
        } else if (probe.value() != ReachabilitySettings.Probe.TCP && target.port().isPresent()) {
            Located<Integer> port = target.port().get();
            problems.add(port.at(), port.keyPath(), "applies only to probe tcp (this one is " + probe.value().configName() + ")",
                    "probe: tcp");
        }
        Located<Integer> address = target.address().orElse(null);
        if (address != null && probe.value() == ReachabilitySettings.Probe.ARP && address.valid() && draft.interfacesComplete()
                && onSubnetOf(draft, address.value()) == null) {
            problems.add(address.at(), address.keyPath(), Ipv4.format(address.value()) + " is on no attached subnet; ARP reaches"
                    + " only hosts on the router's own segments (use probe icmp or tcp for a host further away)", "probe: icmp");
        }
    }

    /** The interface whose subnet holds {@code address}, or {@code null}. */
    private static ConfigDraft.Interface onSubnetOf(ConfigDraft draft, int address) {
        for (ConfigDraft.Interface entry : draft.interfaces()) {
            if (entry.address().valid() && entry.address().value().contains(address)) {
                return entry;
            }
        }
        return null;
    }

    // ---- high availability --------------------------------------------------------------------------

    /**
     * The VIP is the unit of takeover (gratuitous ARP moves an address, not a port), so every service on one
     * VIP must agree on who should hold it: compared with the first service on that VIP.
     */
    private void checkTakeoverUnits(List<ConfigDraft.Service> services) {
        for (int i = 0; i < services.size(); i++) {
            ConfigDraft.Service service = services.get(i);
            if (!service.vip().valid()) {
                continue;
            }
            for (int j = 0; j < i; j++) {
                ConfigDraft.Service first = services.get(j);
                if (first.vip().valid() && first.vip().value().equals(service.vip().value())) {
                    agree(service, first, ConfigDraft.Service::role, "role", ServiceConfig.ServiceRole::configName);
                    agree(service, first, ConfigDraft.Service::priority, "priority", String::valueOf);
                    agree(service, first, ConfigDraft.Service::failback, "failback", ServiceConfig.Failback::configName);
                    break;
                }
            }
        }
    }

    private <T> void agree(ConfigDraft.Service service, ConfigDraft.Service first, Function<ConfigDraft.Service, Located<T>> key,
                           String keyName, Function<T, String> word) {
        Located<T> value = key.apply(service);
        Located<T> reference = key.apply(first);
        if (!value.valid() || !reference.valid() || value.value().equals(reference.value())) {
            return;
        }
        String where = reference.defaulted() ? "the default" : "line " + reference.at().line();
        problems.add(value.at(), value.keyPath(), word.apply(value.value()) + defaultNote(value) + " differs from "
                        + first.label() + " on the same VIP " + Ipv4.format(service.vip().value()) + " (" + keyName + " "
                        + word.apply(reference.value()) + ", " + where
                        + "); the VIP moves between routers as a whole, so all its services need the same " + keyName,
                keyName + ": " + word.apply(reference.value()));
    }

    private void checkHighAvailability(ConfigDraft draft, ConfigDraft.HighAvailability ha) {
        // t2, t1 and the link failure time each wait for keep-alives sent every t4: each must cover at least
        // two, or a single lost datagram fails a peer (the patent's action 341 restarts t2 on every update).
        Located<Duration> updateInterval = ha.updateInterval();
        coversUpdates(ha.standbyTimeout(), updateInterval, "a standby takes over after one lost keep-alive", ConfigDefaults.STANDBY_TIMEOUT);
        coversUpdates(ha.listenTimeout(), updateInterval, "a starting router may miss the active one and become active too",
                ConfigDefaults.LISTEN_TIMEOUT);
        if (!ha.linkFailureTime().defaulted()) {
            // When left out it is standby-timeout's value, already checked above.
            coversUpdates(ha.linkFailureTime(), updateInterval, "one lost keep-alive fails the link", ConfigDefaults.STANDBY_TIMEOUT);
        }
        checkPeers(draft, ha);
        checkVipCount(draft);
    }

    /** One keep-alive carries every VIP's monitor state, and must fit one datagram. */
    private void checkVipCount(ConfigDraft draft) {
        java.util.Set<Integer> vips = new java.util.HashSet<>();
        for (ConfigDraft.Service service : draft.services()) {
            if (service.vip().valid() && vips.add(service.vip().value()) && vips.size() == ConfigLimits.MAX_HA_VIPS + 1) {
                problems.add(service.vip().at(), service.vip().keyPath(), Ipv4.format(service.vip().value()) + " is distinct VIP number "
                                + vips.size() + "; with high-availability a router serves at most " + ConfigLimits.MAX_HA_VIPS
                                + " (one keep-alive datagram carries every VIP's state): put more services on fewer VIPs,"
                                + " or split the VIPs over several router groups",
                        "vip: " + Ipv4.format(draft.services().getFirst().vip().value()));
                return;
            }
        }
    }

    private void coversUpdates(Located<Duration> timeout, Located<Duration> updateInterval, String consequence, Duration usual) {
        if (!timeout.valid() || !updateInterval.valid()) {
            return;
        }
        Duration least = updateInterval.value().multipliedBy(ConfigLimits.MIN_UPDATE_INTERVALS_PER_TIMEOUT);
        if (timeout.value().compareTo(least) >= 0) {
            return;
        }
        String name = timeout.keyPath().substring(timeout.keyPath().lastIndexOf('.') + 1);
        // Suggest the default when it is long enough, otherwise the default's ratio (4 intervals).
        Duration suggestion = usual.compareTo(least) >= 0 ? usual : updateInterval.value().multipliedBy(4);
        problems.add(timeout.at(), timeout.keyPath(), ConfigValues.formatDuration(timeout.value()) + defaultNote(timeout)
                        + " must be at least twice update-interval (" + ConfigValues.formatDuration(updateInterval.value())
                        + defaultNote(updateInterval) + "), or " + consequence,
                name + ": " + ConfigValues.formatDuration(suggestion));
    }

    private void checkPeers(ConfigDraft draft, ConfigDraft.HighAvailability ha) {
        Located<String> ownId = draft.router().id();
        List<ConfigDraft.Peer> peers = ha.peers();
        for (int i = 0; i < peers.size(); i++) {
            ConfigDraft.Peer peer = peers.get(i);
            Located<String> name = peer.name();
            if (name.valid() && ownId.valid() && name.value().equals(ownId.value())) {
                problems.add(name.at(), name.keyPath(), "'" + name.value() + "' is this router's own id"
                        + (ownId.defaulted() ? " (the host name)" : " (router.id, line " + ownId.at().line() + ")")
                        + "; a peer is another router", "");
            } else if (name.valid()) {
                for (int j = 0; j < i; j++) {
                    Located<String> earlier = peers.get(j).name();
                    if (earlier.valid() && earlier.value().equals(name.value())) {
                        problems.add(name.at(), name.keyPath(), "'" + name.value() + "' is already the name of "
                                + peers.get(j).keyPath() + " (line " + earlier.at().line() + ")", "");
                        break;
                    }
                }
            }
            checkPeerNumber(ha, peers, i);
            checkLinks(draft, peers, i);
        }
    }

    /** Router numbers name routers in every message and break the last tie between two actives: unique. */
    private void checkPeerNumber(ConfigDraft.HighAvailability ha, List<ConfigDraft.Peer> peers, int index) {
        Located<Long> number = peers.get(index).routerNumber();
        if (!number.valid()) {
            return;
        }
        Located<Long> own = ha.routerNumber();
        if (own.valid() && own.value().equals(number.value())) {
            problems.add(number.at(), number.keyPath(), number.value() + " is this router's own number (high-availability."
                    + "router-number, line " + own.at().line() + "); each router needs a number of its own",
                    "router-number: " + (own.value() == ConfigLimits.MAX_ROUTER_NUMBER ? own.value() - 1 : own.value() + 1));
            return;
        }
        for (int j = 0; j < index; j++) {
            Located<Long> earlier = peers.get(j).routerNumber();
            if (earlier.valid() && earlier.value().equals(number.value())) {
                problems.add(number.at(), number.keyPath(), number.value() + " is already the number of "
                        + peers.get(j).label() + " (line " + earlier.at().line() + ")", "");
                return;
            }
        }
    }

    private void checkLinks(ConfigDraft draft, List<ConfigDraft.Peer> peers, int peerIndex) {
        List<ConfigDraft.Link> links = peers.get(peerIndex).links();
        for (int i = 0; i < links.size(); i++) {
            ConfigDraft.Link link = links.get(i);
            Located<Integer> local = link.local();
            Located<Integer> peer = link.peer();
            if (local.valid() && peer.valid() && local.value().equals(peer.value())) {
                problems.add(peer.at(), peer.keyPath(), Ipv4.format(peer.value()) + " is also the local address of this link; "
                        + "a link joins this router to another", "peer: 203.0.113.2");
                continue;
            }
            Finding localFinding = local.valid() ? vipOf(draft, local.value(), "this router") : null;
            if (localFinding != null) {
                problems.add(local.at(), local.keyPath(), localFinding.message(), localFinding.example());
            }
            Finding peerFinding = peer.valid() ? vipOf(draft, peer.value(), "the peer") : null;
            if (peerFinding == null && peer.valid()) {
                peerFinding = linkAlreadyListed(peers, peerIndex, i);
            }
            if (peerFinding != null) {
                problems.add(peer.at(), peer.keyPath(), peerFinding.message(), peerFinding.example());
            }
        }
    }

    /** A VIP moves with the active role; the peer protocol must reach a router whichever of them holds it. */
    private static Finding vipOf(ConfigDraft draft, int address, String whose) {
        for (ConfigDraft.Service service : draft.services()) {
            if (service.vip().valid() && service.vip().value() == address) {
                return Finding.of(Ipv4.format(address) + " is the VIP of " + service.label() + " (line "
                        + service.vip().at().line() + "); a VIP moves between routers, so a link needs an address of " + whose
                        + " that stays");
            }
        }
        return null;
    }

    /** The same peer address twice, for one peer or two, is a copy-and-paste mistake: one of them is wrong. */
    private static Finding linkAlreadyListed(List<ConfigDraft.Peer> peers, int peerIndex, int linkIndex) {
        ConfigDraft.Link link = peers.get(peerIndex).links().get(linkIndex);
        for (int p = 0; p <= peerIndex; p++) {
            List<ConfigDraft.Link> earlierLinks = peers.get(p).links();
            int end = p == peerIndex ? linkIndex : earlierLinks.size();
            for (int l = 0; l < end; l++) {
                Located<Integer> earlier = earlierLinks.get(l).peer();
                if (earlier.valid() && earlier.value().equals(link.peer().value())) {
                    return Finding.of(Ipv4.format(link.peer().value()) + " is already the peer address of "
                            + (p == peerIndex ? earlierLinks.get(l).keyPath() : peers.get(p).label()) + " (line "
                            + earlier.at().line() + ")");
                }
            }
        }
        return null;
    }

    /** " (the default)" for a value the file left out, so that a message does not seem to quote a line. */
    static String defaultNote(Located<?> value) {
        return value.defaulted() ? " (the default)" : "";
    }

    /** Ring geometry as a whole (kernel Documentation/networking/packet_mmap.rst). */
    private void checkRing(ConfigDraft.Ring ring) {
        boolean v3 = !ring.version().valid() || ring.version().value() == RingSettings.Version.V3;
        if (v3 && ring.blockSize().valid() && ring.txFrameSize().valid() && ring.blockSize().value() < ring.txFrameSize().value()) {
            // A frame received whole (a GSO super-frame with PACKET_VNET_HDR) leaves through a TX slot, so the
            // largest frame a slot can send must also fit one RX block, or the kernel truncates it. A V2 ring has no
            // blocks of this size: its slots are rx-frame-size, and a frame longer than a slot is counted and dropped.
            problems.add(ring.blockSize().at(), ring.blockSize().keyPath(),
                    ConfigValues.formatSize(ring.blockSize().value()) + " is smaller than tx-frame-size ("
                            + ring.txFrameSize().value() + " bytes): an RX block must hold the largest frame a TX slot can send",
                    "block-size: " + ConfigValues.formatSize(Integer.highestOneBit(ring.txFrameSize().value() - 1) << 1));
        }
        if (ring.blockSize().valid() && ring.blockCount().valid()) {
            long bytes = (long) ring.blockSize().value() * ring.blockCount().value();
            if (bytes > ConfigLimits.MAX_RING_BYTES) {
                problems.add(ring.blockCount().at(), ring.blockCount().keyPath(),
                        ring.blockCount().value() + " blocks of " + ConfigValues.formatSize(ring.blockSize().value())
                                + " make a " + ConfigValues.formatSize(bytes) + " RX ring, more than the "
                                + ConfigValues.formatSize(ConfigLimits.MAX_RING_BYTES) + " a ring may map",
                        "block-count: " + ConfigLimits.MAX_RING_BYTES / ring.blockSize().value());
            }
        }
        if (ring.rxFrameSize().valid() && ring.rxFrameCount().valid()) {
            long bytes = (long) ring.rxFrameSize().value() * ring.rxFrameCount().value();
            if (bytes > ConfigLimits.MAX_RING_BYTES) {
                problems.add(ring.rxFrameCount().at(), ring.rxFrameCount().keyPath(),
                        ring.rxFrameCount().value() + " slots of " + ConfigValues.formatSize(ring.rxFrameSize().value())
                                + " make a " + ConfigValues.formatSize(bytes) + " V2 RX ring, more than the "
                                + ConfigValues.formatSize(ConfigLimits.MAX_RING_BYTES) + " a ring may map",
                        "rx-frame-count: " + ConfigLimits.MAX_RING_BYTES / ring.rxFrameSize().value());
            }
        }
        if (ring.txFrameSize().valid() && ring.txFrameCount().valid()) {
            long bytes = (long) ring.txFrameSize().value() * ring.txFrameCount().value();
            if (bytes > ConfigLimits.MAX_RING_BYTES) {
                problems.add(ring.txFrameCount().at(), ring.txFrameCount().keyPath(),
                        ring.txFrameCount().value() + " slots of " + ConfigValues.formatSize(ring.txFrameSize().value())
                                + " make a " + ConfigValues.formatSize(bytes) + " TX ring, more than the "
                                + ConfigValues.formatSize(ConfigLimits.MAX_RING_BYTES)
                                + " a ring may map",
                        "tx-frame-count: " + ConfigLimits.MAX_RING_BYTES / ring.txFrameSize().value());
            }
        }
    }

    private void checkNeighbours(ConfigDraft.Neighbours neighbours) {
        Located<Duration> refresh = neighbours.refresh();
        Located<Duration> staleAfter = neighbours.staleAfter();
        if (refresh.valid() && staleAfter.valid() && staleAfter.value().compareTo(refresh.value()) <= 0) {
            problems.add(staleAfter.at(), staleAfter.keyPath(),
                    ConfigValues.formatDuration(staleAfter.value()) + " must be longer than refresh ("
                            + ConfigValues.formatDuration(refresh.value())
                            + "), or a server that answers every refresh still turns stale between two",
                    "stale-after: " + ConfigValues.formatDuration(refresh.value().multipliedBy(3)));
        }
    }

    private void checkInterfaces(ConfigDraft draft) {
        List<ConfigDraft.Interface> interfaces = draft.interfaces();
        for (int i = 0; i < interfaces.size(); i++) {
            ConfigDraft.Interface entry = interfaces.get(i);
            for (int j = 0; j < i; j++) {
                ConfigDraft.Interface earlier = interfaces.get(j);
                if (entry.name().valid() && earlier.name().valid() && entry.name().value().equals(earlier.name().value())) {
                    problems.add(entry.name().at(), entry.name().keyPath(), "'" + entry.name().value()
                            + "' is already the name of " + earlier.keyPath() + " (line " + earlier.name().at().line() + ")", "");
                    break;
                }
            }
            for (int j = 0; j < i; j++) {
                ConfigDraft.Interface earlier = interfaces.get(j);
                if (entry.address().valid() && earlier.address().valid() && entry.address().value().overlaps(earlier.address().value())) {
                    // Each attached subnet must lead to one interface, or a server's interface is ambiguous.
                    problems.add(entry.address().at(), entry.address().keyPath(), entry.address().value()
                            + " overlaps " + label(earlier) + "'s subnet " + earlier.address().value().subnetText()
                            + " (line " + earlier.address().at().line() + "); each interface needs a subnet of its own", "");
                    break;
                }
            }
        }
        if (draft.interfacesAt() == null || !draft.interfacesComplete()) {
            return;
        }
        boolean facesClients = false;
        boolean facesServers = false;
        for (ConfigDraft.Interface entry : interfaces) {
            facesClients |= entry.role().value().facesClients();
            facesServers |= entry.role().value().facesServers();
        }
        if (!facesClients) {
            problems.add(draft.interfacesAt(), "interfaces", "no interface faces clients (role client or both)", "role: client");
        }
        if (!facesServers) {
            problems.add(draft.interfacesAt(), "interfaces", "no interface faces servers (role server or both)", "role: server");
        }
    }

    private void checkServiceNames(List<ConfigDraft.Service> services) {
        for (int i = 0; i < services.size(); i++) {
            Located<String> name = services.get(i).name();
            for (int j = 0; name.valid() && j < i; j++) {
                Located<String> earlier = services.get(j).name();
                if (earlier.valid() && earlier.value().equals(name.value())) {
                    problems.add(name.at(), name.keyPath(), "'" + name.value() + "' is already the name of "
                            + services.get(j).keyPath() + " (line " + earlier.at().line() + ")", "");
                    break;
                }
            }
        }
    }

    /** A problem found about one value, with a line to copy from ({@code ""} when none helps). */
    private record Finding(String message, String example) {
        static Finding of(String message) {
            return new Finding(message, "");
        }
    }

    /** A port already served on the same VIP and protocol, in this or another service. */
    private record ServedPorts(ConfigDraft.Service service, Located<ServiceConfig.PortRange> ports) {
    }

    /** One VIP, protocol and port lead to one service: otherwise a new connection has two clusters to go to. */
    private void checkPorts(List<ConfigDraft.Service> services) {
        List<ServedPorts> served = new ArrayList<>();
        for (ConfigDraft.Service service : services) {
            if (!service.vip().valid() || !service.protocol().valid()) {
                continue;
            }
            for (Located<ServiceConfig.PortRange> ports : service.ports()) {
                for (ServedPorts earlier : served) {
                    ConfigDraft.Service other = earlier.service();
                    if (other.vip().value().equals(service.vip().value()) && other.protocol().value() == service.protocol().value()
                            && earlier.ports().value().overlaps(ports.value())) {
                        problems.add(ports.at(), ports.keyPath(), portConflict(service, ports, earlier), "");
                        break;
                    }
                }
                served.add(new ServedPorts(service, ports));
            }
        }
    }

    private static String portConflict(ConfigDraft.Service service, Located<ServiceConfig.PortRange> ports, ServedPorts earlier) {
        boolean same = earlier.ports().value().equals(ports.value());
        int line = earlier.ports().at().line();
        if (earlier.service() == service) {
            return same
                    ? "port " + ports.value() + " is listed twice (first at line " + line + ")"
                    : ports.value() + " overlaps " + earlier.ports().value() + " (line " + line + ")";
        }
        String endpoint = Ipv4.format(service.vip().value()) + ":" + ports.value() + "/" + service.protocol().value().configName();
        return same
                ? endpoint + " is already served by " + earlier.service().label() + " (line " + line + ")"
                : endpoint + " overlaps " + earlier.ports().value() + " of " + earlier.service().label() + " (line " + line + ")";
    }

    /**
     * Servers are reached by MAC on an attached segment (direct server return), so each must be on one; so must
     * their alternate addresses (address substitution forwards to them the same way) and fallback servers.
     */
    private void checkServers(ConfigDraft draft, ConfigDraft.Service service) {
        List<ConfigDraft.Server> servers = new ArrayList<>(service.servers());
        servers.addAll(service.fallback());
        List<Located<Integer>> alternates = new ArrayList<>();
        for (ConfigDraft.Server server : servers) {
            if (server.alternates().size() > ConfigLimits.MAX_ALTERNATES) {
                Located<Integer> extra = server.alternates().get(ConfigLimits.MAX_ALTERNATES);
                problems.add(extra.at(), extra.keyPath(), "is alternate number " + (ConfigLimits.MAX_ALTERNATES + 1) + "; a server has at most "
                        + ConfigLimits.MAX_ALTERNATES, "alternates: [198.51.100.111]");
            }
            for (Located<Integer> alternate : server.alternates()) {
                Finding finding = null;
                for (ConfigDraft.Server other : servers) {
                    if (other.address().valid() && other.address().value().equals(alternate.value())) {
                        finding = Finding.of(Ipv4.format(alternate.value()) + " is the address of " + other.keyPath() + " (line "
                                + other.address().at().line() + "); an alternate is another address of the same host");
                        break;
                    }
                }
                for (int k = 0; finding == null && k < alternates.size(); k++) {
                    if (alternates.get(k).value().equals(alternate.value())) {
                        finding = Finding.of(Ipv4.format(alternate.value()) + " is listed twice as an alternate (first at line "
                                + alternates.get(k).at().line() + ")");
                    }
                }
                if (finding == null) {
                    finding = addressOfInterface(draft, alternate.value(), "an alternate cannot be the router itself");
                }
                if (finding == null && draft.interfacesComplete()) {
                    finding = serverSubnetProblem(draft, alternate.value());
                }
                if (finding != null) {
                    problems.add(alternate.at(), alternate.keyPath(), finding.message(), finding.example());
                }
                alternates.add(alternate);
            }
        }
        for (int i = 0; i < servers.size(); i++) {
            Located<Integer> address = servers.get(i).address();
            if (!address.valid()) {
                continue;
            }
            Finding finding = duplicateServer(servers, i);
            if (finding == null) {
                finding = addressOfInterface(draft, address.value(), "a server cannot be the router itself");
            }
            if (finding == null && draft.interfacesComplete()) {
                finding = serverSubnetProblem(draft, address.value());
            }
            if (finding != null) {
                problems.add(address.at(), address.keyPath(), finding.message(), finding.example());
            }
        }
    }

    private static Finding duplicateServer(List<ConfigDraft.Server> servers, int index) {
        Located<Integer> address = servers.get(index).address();
        for (int j = 0; j < index; j++) {
            Located<Integer> earlier = servers.get(j).address();
            if (earlier.valid() && earlier.value().equals(address.value())) {
                return Finding.of(Ipv4.format(address.value()) + " is listed twice in this service (first at line "
                        + earlier.at().line() + ")");
            }
        }
        return null;
    }

    private static Finding serverSubnetProblem(ConfigDraft draft, int address) {
        List<String> serverSubnets = new ArrayList<>();
        for (ConfigDraft.Interface entry : draft.interfaces()) {
            Ipv4Prefix subnet = entry.address().value();
            if (!entry.role().value().facesServers()) {
                continue;
            }
            serverSubnets.add(subnet.subnetText() + " on " + label(entry));
            if (subnet.contains(address)) {
                return reservedAddressOf(subnet, address, entry);
            }
        }
        if (serverSubnets.isEmpty()) {
            return null; // "no interface faces servers" says it already
        }
        for (ConfigDraft.Interface entry : draft.interfaces()) {
            if (entry.address().value().contains(address)) {
                return new Finding(Ipv4.format(address) + " is on " + label(entry) + "'s subnet "
                        + entry.address().value().subnetText() + ", which faces only clients (role client)",
                        "address: " + exampleServerAddress(draft));
            }
        }
        return new Finding(Ipv4.format(address) + " is not on any server-facing subnet (" + String.join(", ", serverSubnets)
                + "); Baton reaches servers only on an attached segment", "address: " + exampleServerAddress(draft));
    }

    /** The network or broadcast address of {@code subnet} is no host; {@code null} for any other address. */
    private static Finding reservedAddressOf(Ipv4Prefix subnet, int address, ConfigDraft.Interface entry) {
        if (!subnet.hasNetworkAndBroadcastAddresses()) {
            return null;
        }
        if (address == subnet.networkAddress()) {
            return Finding.of(Ipv4.format(address) + " is the network address of " + label(entry) + "'s subnet " + subnet.subnetText());
        }
        if (address == subnet.broadcastAddress()) {
            return Finding.of(Ipv4.format(address) + " is the broadcast address of " + label(entry) + "'s subnet " + subnet.subnetText());
        }
        return null;
    }

    /** An address the user could mean: in the first server-facing subnet, not the router's own. */
    private static String exampleServerAddress(ConfigDraft draft) {
        for (ConfigDraft.Interface entry : draft.interfaces()) {
            if (entry.role().value().facesServers()) {
                Ipv4Prefix subnet = entry.address().value();
                int hosts = subnet.broadcastAddress() - subnet.networkAddress();
                int candidate = subnet.networkAddress() + (hosts > 11 ? 11 : 1);
                return Ipv4.format(candidate == subnet.address() ? candidate + 1 : candidate);
            }
        }
        return "";
    }

    /**
     * A VIP is an address of its own: the router answers ARP for it and servers hold it on loopback, so it
     * must not be a real host's address or sit on a segment where clients do not arrive.
     */
    private void checkVip(ConfigDraft draft, ConfigDraft.Service service) {
        Located<Integer> vip = service.vip();
        if (!vip.valid()) {
            return;
        }
        Finding finding = addressOfInterface(draft, vip.value(), "a VIP must be an address of its own");
        if (finding == null) {
            finding = addressOfServer(draft, vip.value());
        }
        for (ConfigDraft.Interface entry : draft.interfaces()) {
            if (finding != null || !entry.role().valid() || !entry.address().valid() || !entry.address().value().contains(vip.value())) {
                continue;
            }
            if (!entry.role().value().facesClients()) {
                finding = Finding.of(Ipv4.format(vip.value()) + " is on " + label(entry) + "'s subnet "
                        + entry.address().value().subnetText() + ", which faces only servers; clients would not reach it there");
            } else {
                finding = reservedAddressOf(entry.address().value(), vip.value(), entry);
            }
        }
        if (finding != null) {
            problems.add(vip.at(), vip.keyPath(), finding.message(), finding.example());
        }
    }

    private static Finding addressOfInterface(ConfigDraft draft, int address, String why) {
        for (ConfigDraft.Interface entry : draft.interfaces()) {
            if (entry.address().valid() && entry.address().value().address() == address) {
                return Finding.of(Ipv4.format(address) + " is the address of interface " + label(entry) + "; " + why);
            }
        }
        return null;
    }

    private static Finding addressOfServer(ConfigDraft draft, int address) {
        for (ConfigDraft.Service service : draft.services()) {
            List<ConfigDraft.Server> servers = new ArrayList<>(service.servers());
            servers.addAll(service.fallback());
            for (ConfigDraft.Server server : servers) {
                if (server.address().valid() && server.address().value() == address) {
                    return Finding.of(Ipv4.format(address) + " is also the address of the server " + server.keyPath()
                            + " (line " + server.address().at().line() + "); a VIP must be an address of its own");
                }
            }
        }
        return null;
    }

    private static String label(ConfigDraft.Interface entry) {
        return entry.name().valid() ? entry.name().value() : entry.keyPath();
    }
}
