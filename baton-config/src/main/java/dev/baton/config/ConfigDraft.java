package dev.baton.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The document as read, before the checks that span several values: every value {@link Located}, and
 * {@code null} inside where a value was missing or malformed (already reported). Only a draft without
 * problems is turned into a {@link BatonConfig}, so {@link #toConfig} may assume every value is present.
 *
 * @param interfacesAt       where the {@code interfaces} list starts; {@code null} when it is missing, empty
 *                           or not a list (reported)
 * @param interfaces         the interface entries that were mappings
 * @param interfacesComplete whether {@code interfaces} was a list of mappings each with a valid role and
 *                           address; checks that need every subnet (is this server on an attached one?)
 *                           are skipped otherwise, rather than reporting consequences of an earlier problem
 * @param services           the service entries that were mappings
 * @param highAvailability   the {@code high-availability} section; empty when it is left out (or was no
 *                           mapping, reported)
 * @param notifyScript       the {@code notify} section; empty when it is left out (or was no mapping, reported)
 */
record ConfigDraft(
        Router router,
        SourcePosition interfacesAt,
        List<Interface> interfaces,
        boolean interfacesComplete,
        Table table,
        Neighbours neighbours,
        List<Service> services,
        Optional<HighAvailability> highAvailability,
        Optional<Reachability> reachability,
        Optional<Notify> notifyScript,
        Optional<Metrics> metrics) {

    /** The {@code metrics} section: where the Prometheus endpoint listens. */
    record Metrics(Located<MetricsSettings> listen) {
    }

    record Router(Located<String> id, Located<Path> controlSocket, Located<Integer> workers,
                  Located<RouterSettings.Datapath> datapath, Located<RouterSettings.XdpMode> xdpMode, Ring ring) {
    }

    record Ring(Located<Integer> blockSize, Located<Integer> blockCount, Located<Duration> blockTimeout,
                Located<Integer> txFrameSize, Located<Integer> txFrameCount, Located<RingSettings.Version> version,
                Located<Integer> rxFrameSize, Located<Integer> rxFrameCount) {
    }

    record Interface(String keyPath, Located<String> name, Located<InterfaceConfig.InterfaceRole> role,
                     Located<Ipv4Prefix> address) {
    }

    record Table(Located<Integer> capacity, Located<Duration> tcpSyn, Located<Duration> tcpEstablished,
                 Located<Duration> tcpClosing, Located<Duration> tcpClosed, Located<Duration> udp,
                 Located<Integer> perSourceLimit) {
    }

    record Neighbours(Located<Duration> refresh, Located<Duration> retry, Located<Duration> staleAfter) {
    }

    /** @param ports the port entries that were single values */
    record Service(String keyPath, Located<String> name, Located<Integer> vip, Located<ServiceConfig.Protocol> protocol,
                   List<Located<ServiceConfig.PortRange>> ports, Located<ServiceConfig.SchedulerKind> scheduler,
                   Located<Duration> persistence, List<Server> servers, Located<ServiceConfig.ServiceRole> role,
                   Located<Integer> priority, Located<ServiceConfig.Failback> failback, Optional<HealthCheck> healthCheck,
                   Located<ServiceConfig.OnServerDown> onServerDown, List<Server> fallback) {

        /** How messages refer to this service: by name when it has a valid one. */
        String label() {
            return name.valid() ? "service '" + name.value() + "'" : keyPath;
        }
    }

    /** @param alternates the alternate addresses that were valid */
    record Server(String keyPath, Located<Integer> address, Located<Integer> weight, List<Located<Integer>> alternates) {

        ServiceConfig.ServerConfig toConfig() {
            List<Integer> addresses = new ArrayList<>();
            for (Located<Integer> alternate : alternates) {
                addresses.add(alternate.value());
            }
            return new ServiceConfig.ServerConfig(address.value(), weight.value(), addresses);
        }
    }

    /** A service's {@code health-check}; the HTTP-only keys and {@code tls-verify} are empty when left out. */
    record HealthCheck(String keyPath, SourcePosition at, Located<HealthCheckSettings.Kind> kind, Optional<Located<Integer>> port,
                       Optional<Located<String>> path, Optional<Located<String>> host, Optional<Located<Integer>> expectStatus,
                       Optional<Located<String>> expectBody, Located<Duration> interval, Located<Duration> timeout,
                       Located<Integer> rise, Located<Integer> fall, Optional<Located<Boolean>> tlsVerify) {

        HealthCheckSettings toSettings() {
            return new HealthCheckSettings(kind.value(), port.map(Located::value).orElse(0),
                    path.map(Located::value).orElse(ConfigDefaults.HEALTH_CHECK_PATH), host.map(Located::value).orElse(null),
                    expectStatus.map(Located::value).orElse(ConfigDefaults.HEALTH_CHECK_EXPECT_STATUS),
                    expectBody.map(Located::value).orElse(null), interval.value(), timeout.value(), rise.value(), fall.value(),
                    tlsVerify.map(Located::value).orElse(ConfigDefaults.HEALTH_CHECK_TLS_VERIFY));
        }
    }

    /** The {@code reachability} section. */
    record Reachability(String keyPath, Located<ReachabilitySettings.Compare> compare, Located<Long> minImprovement,
                        Located<Duration> hold, Located<Duration> reportInterval, List<Target> targets) {

        ReachabilitySettings toSettings(ConfigDraft draft) {
            List<ReachabilitySettings.Target> settings = new ArrayList<>();
            for (Target target : targets) {
                settings.add(target.toSettings(draft));
            }
            return new ReachabilitySettings(compare.value(), minImprovement.value(), hold.value(), reportInterval.value(), settings);
        }
    }

    /**
     * One {@code reachability.targets} entry; the keys of one kind of element only are empty when left out.
     *
     * @param addresses a subnet element's {@code addresses} as listed, the malformed ones included (invalid, reported)
     */
    record Target(String keyPath, SourcePosition at, Located<String> name, Optional<Located<Integer>> address,
                  Optional<Located<String>> service, Located<ReachabilitySettings.Probe> probe, Optional<Located<Integer>> port,
                  Optional<Located<Integer>> minUp, Located<Duration> interval, Located<Duration> timeout, Located<Integer> rise,
                  Located<Integer> fall, Located<Integer> weight, Located<Boolean> required, Optional<Located<Ipv4Prefix>> subnet,
                  Optional<List<Located<Integer>>> addresses) {

        ReachabilitySettings.Target toSettings(ConfigDraft draft) {
            boolean ofService = service.isPresent();
            boolean ofSubnet = subnet.isPresent();
            List<Integer> members = new ArrayList<>();
            if (ofSubnet) {
                if (addresses.isPresent()) {
                    addresses.get().forEach(member -> members.add(member.value()));
                } else {
                    members.addAll(draft.serverAddressesIn(subnet.get().value()));
                }
            }
            return new ReachabilitySettings.Target(name.value(),
                    ofService ? ReachabilitySettings.Probe.SERVICE : probe.value(),
                    address.map(Located::value).orElse(0), port.map(Located::value).orElse(0),
                    service.map(Located::value).orElse(null),
                    ofService || ofSubnet ? minUp.map(Located::value).orElse(ConfigDefaults.REACHABILITY_MIN_UP) : 0,
                    interval.value(), timeout.value(), rise.value(), fall.value(), weight.value(), required.value(),
                    subnet.map(Located::value).orElse(null), members);
        }

        /** How messages refer to this element: by name when it has a valid one. */
        String label() {
            return name.valid() ? "element '" + name.value() + "'" : keyPath;
        }
    }

    /**
     * @param linkFailureTime when left out, {@code standbyTimeout}'s value, marked defaulted
     * @param peers           the peer entries that were mappings
     */
    record HighAvailability(Located<Long> routerNumber, Located<Path> keyFile, Located<Integer> port,
                            Located<Duration> listenTimeout, Located<Duration> standbyTimeout,
                            Located<Duration> preemptTimeout, Located<Duration> updateInterval,
                            Located<Duration> linkFailureTime, Located<Duration> handoverDrain,
                            Located<Integer> gratuitousArpCount, Located<Duration> gratuitousArpInterval,
                            Located<Duration> gratuitousArpReannounce, Located<Integer> syncWindow,
                            Located<Duration> syncRetransmitTimeout, List<Peer> peers,
                            Located<Duration> shutdownHandoverTimeout, Located<Path> stateDirectory) {

        HighAvailabilitySettings toSettings() {
            List<PeerSettings> peerSettings = new ArrayList<>();
            for (Peer peer : peers) {
                List<PeerLinkSettings> links = new ArrayList<>();
                for (Link link : peer.links) {
                    links.add(new PeerLinkSettings(link.local.value(), link.peer.value()));
                }
                peerSettings.add(new PeerSettings(peer.name.value(), peer.routerNumber.value(), links));
            }
            return new HighAvailabilitySettings(routerNumber.value(), keyFile.value(), port.value(), listenTimeout.value(),
                    standbyTimeout.value(), preemptTimeout.value(), updateInterval.value(), linkFailureTime.value(),
                    handoverDrain.value(),
                    new GratuitousArpSettings(gratuitousArpCount.value(), gratuitousArpInterval.value(), gratuitousArpReannounce.value()),
                    new SyncWindowSettings(syncWindow.value(), syncRetransmitTimeout.value()), peerSettings,
                    shutdownHandoverTimeout.value(), stateDirectory.value());
        }
    }

    /** The {@code notify} section: the script run on every state change, and how long a run may take. */
    record Notify(Located<Path> onStateChange, Located<Duration> timeout) {

        NotifySettings toSettings() {
            return new NotifySettings(onStateChange.value(), timeout.value());
        }
    }

    /** @param links the link entries that were mappings */
    record Peer(String keyPath, Located<String> name, Located<Long> routerNumber, List<Link> links) {

        /** How messages refer to this peer: by name when it has a valid one. */
        String label() {
            return name.valid() ? "peer '" + name.value() + "'" : keyPath;
        }
    }

    record Link(String keyPath, Located<Integer> local, Located<Integer> peer) {
    }

    /**
     * Every configured server address inside {@code subnet}, each once, in file order: each service's servers, then
     * its fallback servers, each with its alternates. The members of a subnet element that lists no {@code addresses}.
     */
    List<Integer> serverAddressesIn(Ipv4Prefix subnet) {
        LinkedHashSet<Integer> inside = new LinkedHashSet<>();
        for (Service service : services) {
            List<Server> servers = new ArrayList<>(service.servers);
            servers.addAll(service.fallback);
            for (Server server : servers) {
                List<Located<Integer>> addresses = new ArrayList<>();
                addresses.add(server.address);
                addresses.addAll(server.alternates);
                for (Located<Integer> address : addresses) {
                    if (address.valid() && subnet.contains(address.value())) {
                        inside.add(address.value());
                    }
                }
            }
        }
        return List.copyOf(inside);
    }

    /** The configuration; only for a draft that produced no problems. */
    BatonConfig toConfig(Path source) {
        RingSettings ringSettings = new RingSettings(router.ring.blockSize.value(), router.ring.blockCount.value(),
                Math.toIntExact(router.ring.blockTimeout.value().toMillis()), router.ring.txFrameSize.value(),
                router.ring.txFrameCount.value(), router.ring.version.value(), router.ring.rxFrameSize.value(),
                router.ring.rxFrameCount.value());
        RouterSettings routerSettings = new RouterSettings(router.id.value(), router.controlSocket.value(),
                router.workers.value(), ringSettings, router.datapath.value(),
                router.xdpMode.value());
        List<InterfaceConfig> interfaceConfigs = new ArrayList<>();
        for (Interface entry : interfaces) {
            interfaceConfigs.add(new InterfaceConfig(entry.name.value(), entry.role.value(), entry.address.value()));
        }
        TableSettings tableSettings = new TableSettings(table.capacity.value(), table.tcpSyn.value(),
                table.tcpEstablished.value(), table.tcpClosing.value(), table.tcpClosed.value(), table.udp.value(),
                table.perSourceLimit.value());
        NeighbourSettings neighbourSettings = new NeighbourSettings(neighbours.refresh.value(), neighbours.retry.value(),
                neighbours.staleAfter.value());
        List<ServiceConfig> serviceConfigs = new ArrayList<>();
        for (Service service : services) {
            List<ServiceConfig.PortRange> ports = new ArrayList<>();
            for (Located<ServiceConfig.PortRange> port : service.ports) {
                ports.add(port.value());
            }
            List<ServiceConfig.ServerConfig> servers = new ArrayList<>();
            for (Server server : service.servers) {
                servers.add(server.toConfig());
            }
            List<ServiceConfig.ServerConfig> fallback = new ArrayList<>();
            for (Server server : service.fallback) {
                fallback.add(server.toConfig());
            }
            serviceConfigs.add(new ServiceConfig(service.name.value(), service.vip.value(), service.protocol.value(),
                    ports, service.scheduler.value(), service.persistence.value(), servers, service.role.value(),
                    service.priority.value(), service.failback.value(),
                    service.healthCheck.map(HealthCheck::toSettings).orElse(HealthCheckSettings.NONE),
                    service.onServerDown.value(), fallback));
        }
        return new BatonConfig(source, routerSettings, interfaceConfigs, tableSettings, neighbourSettings, serviceConfigs,
                highAvailability.map(HighAvailability::toSettings), reachability.map(section -> section.toSettings(this)),
                notifyScript.map(Notify::toSettings),
                metrics.map(section -> section.listen().value()));
    }
}
